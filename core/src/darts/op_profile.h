#pragma once

// Where a benchmark's time goes, op by op: LibTorch's CPU profiler records every operator call
// (autograd's backward functions included) while a profile is open, and closing it sums each
// name's self time: its duration less the calls it made itself.

#include "wb/darts/bench.h"

#include <vector>

namespace wb::darts {

class OpProfile {
public:
    // Starts recording on this thread; with `shapes`, an op's calls are told apart by the
    // shapes of their inputs.
    explicit OpProfile(bool shapes = false);
    ~OpProfile(); // stops recording if finish() was not called
    OpProfile(const OpProfile&) = delete;
    OpProfile& operator=(const OpProfile&) = delete;

    // Stops recording; every op name with its self seconds and calls divided by `iterations`,
    // most time first.
    std::vector<OpTime> finish(int iterations);

private:
    bool m_shapes;
    bool m_open = true;
};

} // namespace wb::darts
