#pragma once

// Data-parallel search from the command line, with torchrun's conventions: --nproc N processes
// on this machine; across machines every node runs the same command with --nnodes M,
// --node-rank R and --master HOST:PORT. The first process of a node starts the node's other
// ranks as copies of its own command line; the global rank 0 records the run.

#include "wb/darts/process_group.h"
#include "wb/darts/search_config.h"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace wb::cli {

class ParallelFlags {
public:
    // recordedShards: resuming a run, whose shard count is fixed (the processes must divide it).
    void add(CLI::App& cmd, bool recordedShards = false);
    // Checks the flags and sets config.shards (the process count unless --shards says more),
    // config.syncBatchNorm (not when resuming: the run's own) and config.runtime.group; started
    // by another rank, takes its place from the environment. Throws wb::Error on a bad
    // combination.
    void finish(darts::SearchConfig& config);
    // Whether --nproc or --nnodes asks for more than one process.
    bool requested() const { return m_nproc > 1 || m_nnodes > 1; }
    // Throws wb::Error when more than one process is asked of a job that runs in one (`job`
    // says which, e.g. "a queued job").
    void refuseFor(const std::string& job) const;
    // Whether this process is a rank other than 0: it runs runSearchRank, not the command.
    bool helperRank() const { return m_spec.rank > 0; }
    const darts::ProcessGroupSpec& spec() const { return m_spec; }
    // For a rank > 0: starts this node's other ranks, runs its part of the search with its own
    // threads and device (printing only errors), waits for the ranks it started, and returns the
    // exit code. Nothing for rank 0, which runs the command.
    std::optional<int> runAsHelper(const darts::RuntimeConfig& local);
    // Starts this node's other ranks (the first process of a node only; none without --nproc).
    void startLocalRanks();
    // Waits for the ranks this process started (killing any still alive after the timeout) and
    // returns 1 when one of them failed, after saying which and how on stderr; else 0.
    int waitLocalRanks();

private:
    int m_nproc = 1;
    int m_nnodes = 1;
    int m_nodeRank = 0;
    int m_shards = 0;
    bool m_recordedShards = false;
    bool m_syncBatchNorm = false;
    std::string m_master;
    int m_timeout = 60;
    int m_localRank = 0;
    darts::ProcessGroupSpec m_spec;
    std::vector<pid_t> m_children;
};

} // namespace wb::cli
