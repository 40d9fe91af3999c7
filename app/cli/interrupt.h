#pragma once

#include "wb/common/run_control.h"

namespace wb::cli {

// While alive, the first SIGINT asks `control` to stop after the current iteration; a second
// SIGINT ends the process at once (the default action).
class InterruptGuard {
public:
    explicit InterruptGuard(RunControl& control);
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;
};

} // namespace wb::cli
