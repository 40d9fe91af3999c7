#pragma once

// Architecture-weight (alpha) updates: the pluggable part of a DARTS-family search. The search
// loop owns the weight step; a variant decides how alpha is updated from a search-train and a
// search-val batch, so PC-DARTS or DrNAS can be added without touching the loop.
//
// DARTS (Liu et al. 2019, eq. 6-8):
//   first order:  grad_alpha = d/dalpha L_val(w, alpha)
//   second order: w' = w - xi * (momentum * buf + grad_w L_train(w, alpha) + wd * w)
//                 grad_alpha = d/dalpha L_val(w', alpha) - xi * H v,
//                 v = grad_w' L_val(w', alpha),
//                 H v ~= (grad_alpha L_train(w+, alpha) - grad_alpha L_train(w-, alpha)) / (2 eps),
//                 w+- = w +- eps * v, eps = 0.01 / ||v||.
//
// PC-DARTS and DrNAS keep this update and change the network (search_cell.h, supernet.h): the
// architecture parameters then include PC-DARTS' edge weights beta, and DrNAS adds its KL
// regulariser to the objective (its Dirichlet samples make L_val stochastic).

#include "darts/mixed_precision.h"
#include "darts/rank_group.h"
#include "darts/supernet.h"

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wb::darts {

struct SearchConfig;

struct Batch {
    torch::Tensor x;
    torch::Tensor y;
};
// One step's batch in data-parallel shards (one element without sharding). Each shard passes
// through the network on its own, with its own BatchNorm statistics; gradients are the mean of
// the shards' gradients, over this process's shards and then over the ranks.
using Shards = std::vector<Batch>;

class SearchVariant {
public:
    virtual ~SearchVariant() = default;
    virtual std::string name() const = 0;
    // One alpha update; weightLr is the current learning rate of the weight optimiser.
    // Returns the search-val loss at the current weights (a scalar on the device, not read
    // here) when the variant evaluates it there, else an undefined tensor.
    virtual torch::Tensor alphaStep(const Shards& train, const Shards& val, double weightLr) = 0;
    // The beta-decay weight of the coming steps (SearchConfig::betaDecay's schedule).
    virtual void setBetaDecay(double weight) = 0;
};

class DartsArchitect : public SearchVariant {
public:
    DartsArchitect(Supernet net, torch::optim::SGD& weightOpt, torch::optim::Adam& alphaOpt,
                   int order, double unrolledLr, double momentum, double weightDecay,
                   double hvpScale = kHvpScale, double klWeight = 0,
                   RankGroup& group = RankGroup::solo(), MixedPrecision precision = {});

    // eps = kHvpScale / ||v|| in the finite-difference Hessian-vector product (DARTS reference).
    // Piecewise-linear ops (ReLU, max pool) make the difference inexact whenever a perturbation
    // crosses a kink, so the gradient check runs with a smaller scale in double precision.
    static constexpr double kHvpScale = 0.01;
    std::string name() const override;
    torch::Tensor alphaStep(const Shards& train, const Shards& val, double weightLr) override;
    void setBetaDecay(double weight) override { m_betaDecay = weight; }

    // The alpha gradients the next step would apply (normal, reduce), without stepping.
    // Leaves the weights exactly as they were. Exposed for the gradient check. Empty when the
    // float16 gradients overflowed (the step is skipped).
    std::vector<torch::Tensor> alphaGradients(const Shards& train, const Shards& val, double xi,
                                              torch::Tensor* valLoss = nullptr);

private:
    std::vector<torch::Tensor> secondOrder(const Shards& train, const Shards& val, double xi);
    torch::Tensor momentumBuffer(const torch::Tensor& param) const;

    Supernet m_net;
    torch::optim::SGD& m_weightOpt;
    torch::optim::Adam& m_alphaOpt;
    int m_order;
    double m_unrolledLr;
    double m_momentum;
    double m_weightDecay;
    double m_hvpScale;
    double m_klWeight;
    double m_betaDecay = 0;
    RankGroup& m_group;
    MixedPrecision m_precision;
};

// A step's loss and accuracy: scalars on the device, read by the step loop in batches so that
// a GPU is not made to wait for the host after every step.
struct StepOutcome {
    torch::Tensor loss;
    torch::Tensor acc;
};
// One SGD step of the weights on a batch's shards: cross-entropy, gradients of `weights` only
// (alpha's would be discarded) averaged over the shards and ranks, global-norm clipping,
// optimiser step. Loss and accuracy are the means over every rank's shards. The loss may be
// non-finite; the caller decides what that means. Under float16 a step whose gradients
// overflowed is skipped (the loss scaler's rule).
StepOutcome weightStep(const std::function<torch::Tensor(const torch::Tensor&)>& forward,
                       torch::optim::SGD& opt, const std::vector<torch::Tensor>& weights,
                       const Shards& batch, double gradClip,
                       RankGroup& group = RankGroup::solo(), const MixedPrecision& precision = {});

// Scales the gradients of `params` down so that their global L2 norm is at most maxNorm, as
// torch::nn::utils::clip_grad_norm_ does, but without reading the norm back to the host.
void clipGradNorm(const std::vector<torch::Tensor>& params, double maxNorm);

std::unique_ptr<SearchVariant> makeVariant(const SearchConfig& config, Supernet net,
                                           torch::optim::SGD& weightOpt,
                                           torch::optim::Adam& alphaOpt,
                                           RankGroup& group = RankGroup::solo(),
                                           const MixedPrecision& precision = {});

} // namespace wb::darts
