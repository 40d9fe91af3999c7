#pragma once

#include "interrupt.h"
#include "progress_printer.h"
#include "recorded_run.h"
#include "result_json.h"

#include "wb/darts/observer_list.h"

#include <iostream>

namespace wb::cli {

// Runs a job with SIGINT handling, progress on stderr and, when `recorded` is set, the run
// store attached; prints the result (JSON or text) and returns the exit code.
template <typename Job>
int runRecorded(RecordedRun* recorded, bool json, int epochs, Job&& job)
{
    RunControl control;
    InterruptGuard guard(control);
    ProgressPrinter progress(epochs);
    darts::ObserverList observers{&progress, recorded ? &recorded->observer() : nullptr};
    const auto result = job(control, observers);
    if (recorded) {
        if (const auto error = recorded->finish(result.status, result.error))
            std::cerr << "warning: the run store could not record everything: " << *error
                      << std::endl;
    }
    if (json) {
        auto j = toJson(result);
        if (recorded) j["run_id"] = recorded->id();
        std::cout << j.dump(2) << std::endl;
    } else {
        std::cout << summary(result);
    }
    return exitCode(result.status);
}

} // namespace wb::cli
