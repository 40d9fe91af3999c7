#pragma once

// The speed-up of a warm-started search over search from scratch (method.md section 3): with the
// same seed and budget, (epochs the scratch arm needs to reach its best supernet val accuracy) /
// (epochs the warm arm needs to reach that same accuracy). "Not reached" is a result, not an
// error: the warm arm may never get there within the budget. Near the ceiling that target is
// brittle (an arm 0.8 points short on a small validation split "never reaches" it), so it can be
// lowered by a tolerance, and the area between the curves measures the gain over the whole budget.

#include <optional>
#include <vector>

namespace wb::transfer {

// The first epoch (1-based) whose value is >= target, or nothing.
std::optional<int> epochsToReach(const std::vector<double>& curve, double target);

struct SpeedUp {
    double scratchBest = 0;        // best val accuracy of the scratch arm
    double target = 0;             // what both arms must reach: scratchBest - tolerance
    int scratchEpochs = 0;         // first epoch at which scratch reached the target
    std::optional<int> warmEpochs; // first epoch at which the warm arm reached it
    std::optional<double> factor;  // scratchEpochs / warmEpochs; empty when not reached
};

// Both curves are per-epoch supernet val accuracies; the target is scratch's best minus
// `tolerance` (0: exactly its best). Throws wb::Error on an empty scratch curve.
SpeedUp speedUp(const std::vector<double>& scratch, const std::vector<double>& warm,
                double tolerance = 0);

// One binomial standard error of an accuracy measured on `n` images, sqrt(p (1 - p) / n): the
// resolution of a validation split, below which two accuracies do not differ. 0 for n <= 0.
double binomialStandardError(double accuracy, int n);

// The area-under-the-curve gain: the mean over the epochs both curves have of warm - scratch,
// in accuracy (0.02 = two points better on average over the budget). 0 when either is empty.
double aucGain(const std::vector<double>& scratch, const std::vector<double>& warm);

} // namespace wb::transfer
