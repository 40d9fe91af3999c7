#pragma once

#include "wb/common/run_control.h"

namespace wb::cli {

// While alive, the first SIGINT or SIGTERM asks `control` to stop after the current iteration
// (the job ends as cancelled and stays resumable); a second one ends the process at once (the
// default action). One guard at a time, on the main thread.
class InterruptGuard {
public:
    explicit InterruptGuard(RunControl& control);
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

    // The exit code of a job stopped by the signal received: 128 + its number, as shells
    // report it (130 for SIGINT, 143 for SIGTERM); 130 when the stop came from elsewhere.
    int cancelledExitCode() const;
};

} // namespace wb::cli
