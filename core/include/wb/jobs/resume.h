#pragma once

// Resuming a recorded search or training: the rules of what can resume, written once for every
// front end.

#include "wb/jobs/recorded.h"
#include "wb/store/run_store.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace wb::jobs {

// Why `run` cannot be taken over for resuming, or nothing: only searches that ended without
// finishing (interrupted, cancelled or failed) resume; with `takeOver` (a queue worker that
// fenced the run's previous worker out) a run still marked running too. Searches and trainings
// resume; other kinds do not.
std::optional<std::string> whyNotResumable(const store::RunDetails& run, bool takeOver = false);

// How a recorded run would continue.
struct ResumePlan {
    store::RunDetails run;
    std::vector<darts::CheckpointInfo> checkpoints; // present and intact, newest first
    // Why it cannot continue where it stopped (epochs recorded but no usable checkpoint); empty
    // when it can. A run stopped in its first epoch has nothing to lose and starts again.
    std::string unusable;
};

// Throws wb::Error naming the run when whyNotResumable() says so. Checks each recorded
// checkpoint's file and checksum (missing or corrupt ones go into `unusable`'s reason).
ResumePlan planResume(store::RunStore& db, std::int64_t id, bool takeOver = false);

struct ResumeOptions {
    int threads = -1;      // >= 0 overrides the recorded thread count
    bool takeOver = false; // see whyNotResumable
    // Adapts the recorded config to this machine (a queue worker's dataset paths).
    std::function<void(darts::SearchConfig&)> localise;
    std::function<void(darts::TrainConfig&)> localiseTrain;
};

// Continues recorded search `id` from its newest usable checkpoint, under the same run id.
// Throws wb::Error before touching the run when it cannot resume (see planResume) or is not a
// search.
Recorded<darts::SearchResult> resumeRecordedSearch(const std::string& db, std::int64_t id,
                                                   const ResumeOptions& options,
                                                   RunControl& control,
                                                   darts::RunObserver& observer);

// The same for recorded training `id`.
Recorded<darts::TrainResult> resumeRecordedTrain(const std::string& db, std::int64_t id,
                                                 const ResumeOptions& options, RunControl& control,
                                                 darts::RunObserver& observer);

} // namespace wb::jobs
