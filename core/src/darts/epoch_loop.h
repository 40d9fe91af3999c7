#pragma once

// The step loop shared by the search and the from-scratch training: runs one epoch's steps,
// reports each to the observer, checks every loss, and honours RunControl between steps.

#include "darts/architect.h"
#include "wb/common/error.h"
#include "wb/common/run_control.h"
#include "wb/darts/observer.h"

#include <chrono>
#include <cmath>
#include <optional>
#include <string>

namespace wb::darts {

struct StepResult {
    StepOutcome weights;             // the weight step
    std::optional<double> alphaLoss; // the alpha step's loss, when it was measured
};

// Runs steps 1..steps of `epoch` through step(); returns the epoch's train metrics (loss and
// accuracy means, lr; seconds and val fields are the caller's), or nothing when a stop request
// arrived before the last step (a partial epoch is not an epoch). Throws wb::Error when a loss
// is not finite: training diverged. The ranks of `group` stop after the same step: a stop asked
// of any of them stops them all.
template <typename StepFn>
std::optional<EpochMetrics> runEpochSteps(int epoch, int steps, double lr, RunControl& control,
                                          RunObserver& observer, StepFn&& step,
                                          RankGroup& group = RankGroup::solo())
{
    using Clock = std::chrono::steady_clock;
    EpochMetrics m;
    m.epoch = epoch;
    m.lr = lr;
    for (int s = 1; s <= steps; ++s) {
        const auto start = Clock::now();
        const StepResult r = step();
        if (!std::isfinite(r.weights.loss) || (r.alphaLoss && !std::isfinite(*r.alphaLoss)))
            throw Error("training diverged: non-finite loss at epoch " + std::to_string(epoch) +
                        ", step " + std::to_string(s) + " (try a lower --lr)");
        m.trainLoss += r.weights.loss / steps;
        m.trainAcc += r.weights.acc / steps;
        observer.onStep({epoch, s, steps, r.weights.loss, r.weights.acc,
                         r.alphaLoss.value_or(std::nan("")), lr,
                         std::chrono::duration<double>(Clock::now() - start).count()});
        if (group.any(!control.checkpoint())) {
            control.requestStop();
            return s == steps ? std::optional(m) : std::nullopt;
        }
    }
    return m;
}

} // namespace wb::darts
