#include "queue_flags.h"

#include "wb/store/json_shapes.h"
#include "wb/store/workspace_location.h"

#include <iostream>

namespace wb::cli {

void QueueFlags::add(CLI::App& cmd)
{
    cmd.add_flag("--queue", queue,
                 "Record the job for `supernet worker` processes and return at once (prints its "
                 "id)");
    cmd.add_option("--after", after, "With --queue: wait for these job ids to be done")
        ->delimiter(',');
    cmd.add_option("--data-root", dataRoots,
                   "With --queue: datasets under DIR are stored relative to it (workers join "
                   "them to their own --data-root); repeatable");
    cmd.add_option("--max-attempts", maxAttempts,
                   "With --queue: failed attempts before the job is marked failed")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
}

jobs::Submission QueueFlags::submission(const std::string& device) const
{
    jobs::Submission s;
    s.device = device;
    s.after = after;
    s.roots.roots = dataRoots;
    s.maxAttempts = maxAttempts;
    return s;
}

int queueJob(const std::string& dbPath, jobs::QueuedJob job, const QueueFlags& flags,
             const std::string& device, bool json)
{
    const auto kind = job.kind;
    const auto id = jobs::submitJob(dbPath, std::move(job), flags.submission(device));
    if (json)
        std::cout << nlohmann::json{{"schema_version", store::kJsonSchemaVersion},
                                    {"job_id", id},
                                    {"kind", kind},
                                    {"state", "queued"}}
                         .dump(2)
                  << std::endl;
    else
        std::cout << id << std::endl;
    std::cerr << "queued " << kind << " job " << id << " (" << store::redactedWorkspace(dbPath)
              << ")" << std::endl;
    return 0;
}

} // namespace wb::cli
