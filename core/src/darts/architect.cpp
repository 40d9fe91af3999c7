#include "darts/architect.h"

#include "torch_compat.h"

#include "wb/common/error.h"
#include "wb/darts/search_config.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace wb::darts {
namespace {

torch::Tensor loss(Supernet& net, const Batch& b)
{
    return torch::nn::functional::cross_entropy(net->forward(b.x), b.y);
}

// Adds `scale * delta[i]` to every weight in place, outside autograd.
void axpy(std::vector<torch::Tensor>& weights, const std::vector<torch::Tensor>& delta,
          double scale)
{
    torch::NoGradGuard noGrad;
    for (std::size_t i = 0; i < weights.size(); ++i)
        weights[i].add_(delta[i], scale);
}
// The same with a scalar tensor for scale, which is never read back to the host.
void axpy(std::vector<torch::Tensor>& weights, const std::vector<torch::Tensor>& delta,
          const torch::Tensor& scale)
{
    torch::NoGradGuard noGrad;
    for (std::size_t i = 0; i < weights.size(); ++i)
        weights[i].add_(delta[i] * scale);
}

// Gradients of `output` w.r.t. `inputs`; an input the graph does not use (alpha_normal when
// every cell reduces, L <= 2) gets zeros instead of an error.
std::vector<torch::Tensor> gradOrZeros(const torch::Tensor& output,
                                       const std::vector<torch::Tensor>& inputs)
{
    auto grads = torch::autograd::grad({output}, inputs, {}, false, false, /*allow_unused=*/true);
    for (std::size_t i = 0; i < grads.size(); ++i)
        if (!grads[i].defined()) grads[i] = torch::zeros_like(inputs[i]);
    return grads;
}

// The mean over `shards` of grads(shard): this process's part of a data-parallel gradient.
std::vector<torch::Tensor>
shardMean(const Shards& shards,
          const std::function<std::vector<torch::Tensor>(const Batch&)>& grads)
{
    std::vector<torch::Tensor> sum;
    for (const auto& shard : shards) {
        auto g = grads(shard);
        if (sum.empty()) {
            sum = std::move(g);
            continue;
        }
        for (std::size_t i = 0; i < sum.size(); ++i)
            sum[i] = sum[i] + g[i];
    }
    if (shards.size() > 1)
        for (auto& t : sum)
            t = t / double(shards.size());
    return sum;
}

} // namespace

DartsArchitect::DartsArchitect(Supernet net, torch::optim::SGD& weightOpt,
                               torch::optim::Adam& alphaOpt, int order, double unrolledLr,
                               double momentum, double weightDecay, double hvpScale,
                               double klWeight, RankGroup& group, MixedPrecision precision)
    : m_net(std::move(net)), m_weightOpt(weightOpt), m_alphaOpt(alphaOpt), m_order(order),
      m_unrolledLr(unrolledLr), m_momentum(momentum), m_weightDecay(weightDecay),
      m_hvpScale(hvpScale), m_klWeight(klWeight), m_group(group), m_precision(precision)
{
}

std::string DartsArchitect::name() const
{
    const auto& spec = m_net->spec();
    const std::string variant = spec.dirichlet           ? "drnas"
                                : spec.edgeNormalisation ? "pc-darts"
                                                         : "darts";
    return variant + (m_order == 2 ? "-2nd-order" : "-1st-order");
}

torch::Tensor DartsArchitect::alphaStep(const Shards& train, const Shards& val, double weightLr)
{
    const double xi = m_unrolledLr >= 0 ? m_unrolledLr : weightLr;
    torch::Tensor valLoss;
    auto grads = alphaGradients(train, val, xi, &valLoss);
    if (grads.empty()) return valLoss; // float16 overflow: no step, a smaller loss scale
    auto alphas = m_net->alphas();
    for (std::size_t i = 0; i < alphas.size(); ++i)
        alphas[i].mutable_grad() = grads[i];
    m_alphaOpt.step();
    m_alphaOpt.zero_grad();
    return valLoss;
}

std::vector<torch::Tensor> DartsArchitect::alphaGradients(const Shards& train, const Shards& val,
                                                          double xi, torch::Tensor* valLoss)
{
    std::vector<torch::Tensor> grads;
    if (m_order == 2) {
        // In float32 whatever --amp says: the finite-difference Hessian product subtracts two
        // nearly equal gradients, which half precision would drown in rounding.
        grads = secondOrder(train, val, xi); // L_val is measured at w', not w
    } else {
        // Only alpha's gradient is requested, so autograd skips every weight gradient. The loss
        // rides along as the last tensor, averaged with the gradients.
        const auto forward = [&](const torch::Tensor& x) { return m_net->forward(x); };
        grads = shardMean(val, [&](const Batch& b) {
            auto l = torch::nn::functional::cross_entropy(m_precision.logits(forward, b.x), b.y);
            auto g = gradOrZeros(m_precision.scaled(l), m_net->alphas());
            g.push_back(l.detach().reshape({1}));
            return g;
        });
        m_group.average(grads);
        if (valLoss) *valLoss = grads.back().reshape({});
        grads.pop_back();
        if (!m_precision.unscale(grads)) return {};
    }
    // The regularisers depend on alpha alone: their gradients add to either order's.
    if (const auto reg = m_net->architectureRegulariser(m_klWeight); reg.defined()) {
        const auto regGrads = gradOrZeros(reg, m_net->alphas());
        for (std::size_t i = 0; i < grads.size(); ++i)
            grads[i] = grads[i] + regGrads[i];
    }
    if (m_betaDecay > 0) {
        // d/dalpha_e of w * mean_e logsumexp(alpha_e) = w * softmax(alpha_e) / (edges of both
        // cells), in closed form.
        const auto& normal = m_net->alphaNormal();
        const auto& reduce = m_net->alphaReduce();
        const double w = m_betaDecay / double(normal.size(0) + reduce.size(0));
        grads[0] = grads[0] + w * torch::softmax(normal.detach(), 1);
        grads[1] = grads[1] + w * torch::softmax(reduce.detach(), 1);
    }
    return grads;
}

torch::Tensor DartsArchitect::momentumBuffer(const torch::Tensor& param) const
{
    const auto& state = m_weightOpt.state();
    const auto it = state.find(compat::optimizerStateKey(m_weightOpt, param));
    if (it == state.end()) return {};
    return static_cast<const torch::optim::SGDParamState&>(*it->second).momentum_buffer();
}

std::vector<torch::Tensor> DartsArchitect::secondOrder(const Shards& train, const Shards& val,
                                                       double xi)
{
    auto weights = m_net->parameters();
    auto alphas = m_net->alphas();
    const auto alphaGrad = [&](const Batch& b) { return gradOrZeros(loss(m_net, b), alphas); };

    // Unrolled step w' = w - xi * (momentum * buf + grad + wd * w), mirroring one SGD step.
    auto trainGrads = shardMean(
        train, [&](const Batch& b) { return torch::autograd::grad({loss(m_net, b)}, weights); });
    m_group.average(trainGrads);
    std::vector<torch::Tensor> step(weights.size());
    std::vector<torch::Tensor> saved(weights.size());
    {
        torch::NoGradGuard noGrad;
        for (std::size_t i = 0; i < weights.size(); ++i) {
            saved[i] = weights[i].detach().clone();
            step[i] = trainGrads[i] + m_weightDecay * weights[i];
            if (auto buf = momentumBuffer(weights[i]); buf.defined())
                step[i] = step[i] + m_momentum * buf;
        }
    }
    axpy(weights, step, -xi);

    std::vector<torch::Tensor> inputs = alphas;
    inputs.insert(inputs.end(), weights.begin(), weights.end());
    auto grads =
        shardMean(val, [&](const Batch& b) { return gradOrZeros(loss(m_net, b), inputs); });
    m_group.average(grads);
    {
        torch::NoGradGuard noGrad;
        for (std::size_t i = 0; i < weights.size(); ++i)
            weights[i].copy_(saved[i]);
    }
    std::vector<torch::Tensor> alphaGrads(grads.begin(), grads.begin() + alphas.size());
    std::vector<torch::Tensor> v(grads.begin() + alphas.size(), grads.end());

    std::vector<torch::Tensor> squares;
    for (const auto& t : v)
        squares.push_back(t.pow(2).sum());
    // v = 0 makes both perturbed gradients equal, so H v comes out 0 through a finite eps.
    const auto norm = torch::stack(squares).sum().sqrt().clamp_min(
        std::numeric_limits<float>::min());
    const auto eps = m_hvpScale / norm;

    axpy(weights, v, eps);
    const auto gradPlus = shardMean(train, alphaGrad);
    axpy(weights, v, -2 * eps);
    const auto gradMinus = shardMean(train, alphaGrad);
    {
        torch::NoGradGuard noGrad;
        for (std::size_t i = 0; i < weights.size(); ++i)
            weights[i].copy_(saved[i]);
    }
    std::vector<torch::Tensor> hv(alphas.size());
    for (std::size_t i = 0; i < alphas.size(); ++i)
        hv[i] = (gradPlus[i] - gradMinus[i]) / (2 * eps);
    m_group.average(hv);
    for (std::size_t i = 0; i < alphas.size(); ++i)
        alphaGrads[i] = alphaGrads[i] - xi * hv[i];
    return alphaGrads;
}

StepOutcome weightStep(const std::function<torch::Tensor(const torch::Tensor&)>& forward,
                       torch::optim::SGD& opt, const std::vector<torch::Tensor>& weights,
                       const Shards& batch, double gradClip, RankGroup& group,
                       const MixedPrecision& precision)
{
    opt.zero_grad();
    torch::Tensor lossSum, accSum;
    for (const auto& shard : batch) {
        auto logits = precision.logits(forward, shard.x);
        auto loss = torch::nn::functional::cross_entropy(logits, shard.y);
        precision.scaled(batch.size() > 1 ? loss / double(batch.size()) : loss)
            .backward({}, false, false, weights);
        const auto acc = logits.argmax(1).eq(shard.y).to(loss.scalar_type()).mean().detach();
        lossSum = lossSum.defined() ? lossSum + loss.detach() : loss.detach();
        accSum = accSum.defined() ? accSum + acc : acc;
    }
    // Weights the step did not reach (another dataset's head) have no gradient on any rank.
    std::vector<torch::Tensor> synced;
    for (const auto& w : weights)
        if (w.grad().defined()) synced.push_back(w.mutable_grad());
    synced.push_back(torch::stack({lossSum, accSum}) / double(batch.size()));
    group.average(synced);
    const auto metrics = synced.back();
    synced.pop_back();
    if (precision.unscale(synced)) {
        clipGradNorm(weights, gradClip);
        opt.step();
    }
    return {metrics[0], metrics[1]};
}

void clipGradNorm(const std::vector<torch::Tensor>& params, double maxNorm)
{
    std::vector<torch::Tensor> norms;
    for (const auto& p : params)
        if (p.grad().defined()) norms.push_back(p.grad().norm(2));
    if (norms.empty()) return;
    torch::NoGradGuard noGrad;
    const auto total = norms.size() == 1 ? norms.front() : torch::stack(norms).norm(2);
    const auto coef = (maxNorm / (total + 1e-6)).clamp_max(1.0);
    for (const auto& p : params)
        if (p.grad().defined()) p.grad().mul_(coef);
}

std::unique_ptr<SearchVariant> makeVariant(const SearchConfig& config, Supernet net,
                                           torch::optim::SGD& weightOpt,
                                           torch::optim::Adam& alphaOpt, RankGroup& group,
                                           const MixedPrecision& precision)
{
    const auto& variants = searchVariants();
    if (std::find(variants.begin(), variants.end(), config.variant) == variants.end())
        throw Error("config: variant '" + config.variant +
                    "' is unknown (available: darts, pc-darts, drnas)");
    return std::make_unique<DartsArchitect>(std::move(net), weightOpt, alphaOpt, config.order,
                                            config.unrolledLr, config.weights.momentum,
                                            config.weights.weightDecay, DartsArchitect::kHvpScale,
                                            config.variant == "drnas" ? config.klWeight : 0.0,
                                            group, precision);
}

} // namespace wb::darts
