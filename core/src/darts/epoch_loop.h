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
#include <vector>

namespace wb::darts {

struct StepResult {
    StepOutcome weights;     // the weight step
    torch::Tensor alphaLoss; // the alpha step's loss; undefined when it was not measured
};

// Runs steps 1..steps of `epoch` through step(); returns the epoch's train metrics (loss and
// accuracy means, lr; seconds and val fields are the caller's), or nothing when a stop request
// arrived before the last step (a partial epoch is not an epoch). Throws wb::Error when a loss
// is not finite: training diverged. The ranks of `group` stop after the same step: a stop asked
// of any of them stops them all.
//
// The steps' losses stay on the device until `readEvery` of them (or the epoch's last) are
// there, then come to the host in one copy: a GPU keeps queueing work instead of waiting for
// the host after every step. Stop requests and divergence are seen at those reads; a read
// reports each of its steps with the batch's mean step time.
template <typename StepFn>
std::optional<EpochMetrics> runEpochSteps(int epoch, int steps, double lr, RunControl& control,
                                          RunObserver& observer, StepFn&& step,
                                          RankGroup& group = RankGroup::solo(), int readEvery = 1)
{
    using Clock = std::chrono::steady_clock;
    EpochMetrics m;
    m.epoch = epoch;
    m.lr = lr;
    std::vector<torch::Tensor> pending; // per step: loss, accuracy, alpha loss
    std::vector<bool> alphaMeasured;
    auto batchStart = Clock::now();
    for (int s = 1; s <= steps; ++s) {
        const StepResult r = step();
        const auto loss = r.weights.loss.to(torch::kFloat64);
        const auto alpha = r.alphaLoss.defined() ? r.alphaLoss.to(torch::kFloat64)
                                                 : torch::zeros_like(loss);
        pending.push_back(torch::stack({loss, r.weights.acc.to(torch::kFloat64), alpha}));
        alphaMeasured.push_back(r.alphaLoss.defined());
        if (int(pending.size()) < readEvery && s < steps) continue;

        const auto values = torch::stack(pending).cpu();
        const auto v = values.accessor<double, 2>();
        const auto count = std::int64_t(pending.size());
        const double seconds =
            std::chrono::duration<double>(Clock::now() - batchStart).count() / double(count);
        for (std::int64_t i = 0; i < count; ++i) {
            const int at = s - int(count) + 1 + int(i);
            const double alphaLoss = alphaMeasured[i] ? v[i][2] : std::nan("");
            if (!std::isfinite(v[i][0]) || (alphaMeasured[i] && !std::isfinite(alphaLoss)))
                throw Error("training diverged: non-finite loss at epoch " +
                            std::to_string(epoch) + ", step " + std::to_string(at) +
                            " (try a lower --lr)");
            m.trainLoss += v[i][0] / steps;
            m.trainAcc += v[i][1] / steps;
            observer.onStep({epoch, at, steps, v[i][0], v[i][1], alphaLoss, lr, seconds});
        }
        pending.clear();
        alphaMeasured.clear();
        if (group.any(!control.checkpoint())) {
            control.requestStop();
            return s == steps ? std::optional(m) : std::nullopt;
        }
        batchStart = Clock::now();
    }
    return m;
}

} // namespace wb::darts
