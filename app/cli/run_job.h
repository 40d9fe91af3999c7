#pragma once

#include "interrupt.h"
#include "progress_printer.h"
#include "result_json.h"

#include "wb/jobs/recorded.h"
#include "wb/store/workspace_location.h"

#include <algorithm>
#include <iostream>

namespace wb::cli {

// Prints "run N (DB)" on stderr once a recorded job's run exists.
inline jobs::RunCreated announceRun(const std::string& dbPath)
{
    return [dbPath](std::int64_t id) {
        std::cerr << "run " << id << " (" << store::redactedWorkspace(dbPath) << ")" << std::endl;
    };
}

// Prints a job's result (JSON or text) and returns the exit code: the run's, at least 1 when
// its record is incomplete, the signal's when it was cancelled.
template <typename Result>
int reportJob(const jobs::Recorded<Result>& job, bool json, const InterruptGuard& guard)
{
    if (job.storeError)
        std::cerr << "supernet: the run store could not record everything: " << *job.storeError
                  << std::endl;
    if (json) {
        auto j = toJson(job.result);
        if (job.runId > 0) j["run_id"] = job.runId;
        std::cout << j.dump(2) << std::endl;
    } else {
        std::cout << summary(job.result);
    }
    if (job.result.status == RunStatus::Cancelled) return guard.cancelledExitCode();
    // A run whose record is incomplete has partly failed, even if training itself finished.
    return job.storeError ? std::max(exitCode(job.result.status), 1) : exitCode(job.result.status);
}

// Runs `job(control, observer) -> jobs::Recorded<Result>` with SIGINT/SIGTERM handling and
// progress on stderr; prints the result and returns the exit code.
template <typename Job> int runJob(bool json, int epochs, Job&& job)
{
    RunControl control;
    InterruptGuard guard(control);
    ProgressPrinter progress(epochs);
    return reportJob(job(control, progress), json, guard);
}

// The same job unrecorded (--no-store).
template <typename Result> jobs::Recorded<Result> unrecorded(Result result)
{
    return {std::move(result), 0, std::nullopt};
}

} // namespace wb::cli
