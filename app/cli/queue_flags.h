#pragma once

#include "wb/jobs/queue.h"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace wb::cli {

// --queue [--after ID,...] [--data-root DIR] [--max-attempts N]: record the job for the workers
// instead of running it here.
struct QueueFlags {
    bool queue = false;
    std::vector<std::int64_t> after;
    std::vector<std::string> dataRoots;
    int maxAttempts = 3;
    void add(CLI::App& cmd);
    jobs::Submission submission(const std::string& device) const;
};

// Queues `job` in `dbPath`, prints its id (stdout; with --json an object) and returns 0.
int queueJob(const std::string& dbPath, jobs::QueuedJob job, const QueueFlags& flags,
             const std::string& device, bool json);

} // namespace wb::cli
