#pragma once

#include "interrupt.h"
#include "progress_printer.h"
#include "recorded_run.h"
#include "result_json.h"

#include "wb/darts/observer_list.h"

#include <algorithm>
#include <iostream>

namespace wb::cli {

// Runs a job with SIGINT/SIGTERM handling, progress on stderr and, when `recorded` is set, the run
// store attached; prints the result (JSON or text) and returns the exit code.
template <typename Job>
int runRecorded(RecordedRun* recorded, bool json, int epochs, Job&& job)
{
    RunControl control;
    InterruptGuard guard(control);
    ProgressPrinter progress(epochs);
    darts::ObserverList observers{&progress, recorded ? &recorded->observer() : nullptr};
    const auto result = job(control, observers);
    bool recordIncomplete = false;
    if (recorded) {
        if (const auto error = recorded->finish(result.status, result.error)) {
            std::cerr << "supernet: the run store could not record everything: " << *error
                      << std::endl;
            recordIncomplete = true;
        }
    }
    if (json) {
        auto j = toJson(result);
        if (recorded) j["run_id"] = recorded->id();
        std::cout << j.dump(2) << std::endl;
    } else {
        std::cout << summary(result);
    }
    if (result.status == darts::RunStatus::Cancelled) return guard.cancelledExitCode();
    // A run whose record is incomplete has partly failed, even if training itself finished.
    return recordIncomplete ? std::max(exitCode(result.status), 1) : exitCode(result.status);
}

} // namespace wb::cli
