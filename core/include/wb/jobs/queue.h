#pragma once

// Queued jobs: commands recorded with --queue and run later by `supernet worker` processes on
// any machine that reaches the workspace. A job's datasets are stored by path and fingerprint:
// relative to the submitter's data root when under it; a worker joins them to its own roots,
// checks the fingerprint before any training, and never touches a dataset outside its roots.

#include "wb/common/run_control.h"
#include "wb/darts/search_config.h"
#include "wb/jobs/experiment.h"
#include "wb/store/job_queue.h"
#include "wb/transfer/distance_settings.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace wb::jobs {

// Dataset folders a process may use.
struct DataRoots {
    std::vector<std::string> roots;
    // Submitting: `path` relative to the first root that holds it, else absolute.
    std::string forQueue(const std::string& path) const;
    // Working: the stored path on this machine, under one of the roots. Throws wb::Error when it
    // lies outside every root or exists under none.
    std::string resolve(const std::string& stored) const;
};

// What a queued job asks for; the JSON in the jobs table.
struct QueuedJob {
    std::string kind;                    // search | train | pretrain | transfer | experiment-cell
    darts::SearchConfig search;          // search, pretrain, transfer
    darts::TrainConfig train;            // train
    std::string zooName;                 // pretrain
    std::string source = "auto";         // transfer
    bool keepHead = false;               // transfer
    transfer::DistanceSettings distance; // transfer
    std::int64_t experimentId = 0;       // experiment-cell
    std::string target;                  // experiment-cell
    std::uint64_t seed = 0;              // experiment-cell
    std::string arm;                     // experiment-cell
    std::vector<std::pair<std::string, std::string>> fingerprints; // stored path -> fingerprint

    std::string toJson() const;
    static QueuedJob fromJson(const std::string& kind, const std::string& json);
};

struct Submission {
    std::string device = "cpu";
    std::vector<std::int64_t> after;
    DataRoots roots; // the submitter's --data-root
    int maxAttempts = 3;
};

// Records `job` as queued (its datasets made relative and fingerprinted now) and returns its id.
// Throws wb::Error when a dataset cannot be read or a job to wait for does not exist.
std::int64_t submitJob(const std::string& db, QueuedJob job, const Submission& how);

// `experiment --queue`: the experiment and one job per cell; the warm arms wait for the
// pretraining jobs of the workspace that are still queued or running. Returns the job ids.
std::vector<std::int64_t> submitExperiment(const std::string& db, std::int64_t experimentId,
                                           const ExperimentSpec& spec, const Submission& how);

struct WorkerOptions {
    std::string db;
    std::string name; // default: host-pid
    std::vector<std::string> dataRoots;
    std::string device = "cpu";
    int threads = -1;            // intra-op threads of the jobs (-1: as each job says)
    int maxJobs = 0;             // stop after this many jobs (0: no limit)
    double idleExitSeconds = -1; // stop after this long without a job (< 0: never)
    double leaseSeconds = 60;
    double pollSeconds = 1;
};

// What the worker tells its front end.
class WorkerObserver {
public:
    virtual ~WorkerObserver() = default;
    virtual void onJobStarted(const store::JobRecord& job) { (void)job; }
    virtual void onJobEnded(const store::JobRecord& job, const std::string& outcome)
    {
        (void)job;
        (void)outcome;
    }
    // The observer of the job's training (progress lines); valid until the next call.
    virtual darts::RunObserver& jobObserver(int epochs) = 0;
};

struct WorkerSummary {
    int done = 0;
    int failed = 0;   // attempts that failed (the job may be queued again)
    int released = 0; // given back to the queue by a stop request
    int lost = 0;     // taken over by another worker after a lease expiry
};

// Claims and runs jobs one at a time until a stop request (the job in flight is checkpointed at
// its next safe point and given back to the queue), maxJobs, or idleExitSeconds without work.
WorkerSummary runWorker(const WorkerOptions& options, RunControl& control,
                        WorkerObserver& observer);

} // namespace wb::jobs
