#pragma once

// The speed-up of a warm-started search over search from scratch (method.md section 3): with the
// same seed and budget, (epochs the scratch arm needs to reach its best supernet val accuracy) /
// (epochs the warm arm needs to reach that same accuracy). "Not reached" is a result, not an
// error: the warm arm may never get there within the budget.

#include <optional>
#include <vector>

namespace wb::transfer {

// The first epoch (1-based) whose value is >= target, or nothing.
std::optional<int> epochsToReach(const std::vector<double>& curve, double target);

struct SpeedUp {
    double scratchBest = 0;          // best val accuracy of the scratch arm
    int scratchEpochs = 0;           // first epoch at which scratch reached it
    std::optional<int> warmEpochs;   // first epoch at which the warm arm reached it
    std::optional<double> factor;    // scratchEpochs / warmEpochs; empty when not reached
};

// Both curves are per-epoch supernet val accuracies. Throws wb::Error on an empty scratch curve.
SpeedUp speedUp(const std::vector<double>& scratch, const std::vector<double>& warm);

} // namespace wb::transfer
