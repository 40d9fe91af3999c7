#include "darts/sync_batch_norm.h"

#include "darts/rank_group.h"

#include <cstdint>

namespace wb::darts {
namespace {

// The sum of a tensor over the ranks. Its backward pass sums the gradients over the ranks too:
// every rank's loss depends on every rank's input through the shared statistics.
struct AllReduceSum : torch::autograd::Function<AllReduceSum> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                 std::int64_t group)
    {
        ctx->saved_data["group"] = group;
        std::vector<torch::Tensor> t{x.clone()};
        reinterpret_cast<RankGroup*>(group)->sum(t);
        return t.front();
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads)
    {
        auto* group = reinterpret_cast<RankGroup*>(ctx->saved_data["group"].toInt());
        std::vector<torch::Tensor> t{grads.front().contiguous().clone()};
        group->sum(t);
        return {t.front(), torch::Tensor()};
    }
};

} // namespace

SyncBatchNorm2dImpl::SyncBatchNorm2dImpl(std::int64_t channels, bool affine)
{
    if (affine) {
        weight = register_parameter("weight", torch::ones({channels}));
        bias = register_parameter("bias", torch::zeros({channels}));
    }
    running_mean = register_buffer("running_mean", torch::zeros({channels}));
    running_var = register_buffer("running_var", torch::ones({channels}));
    num_batches_tracked = register_buffer("num_batches_tracked", torch::zeros({}, torch::kInt64));
}

void SyncBatchNorm2dImpl::pretty_print(std::ostream& stream) const
{
    stream << "SyncBatchNorm2d(" << running_mean.size(0)
           << ", affine=" << (weight.defined() ? "true" : "false") << ")";
}

torch::Tensor SyncBatchNorm2dImpl::forward(const torch::Tensor& x)
{
    if (m_group && m_group->size() > 1 && is_training()) return synchronised(x);
    if (is_training()) num_batches_tracked.add_(1);
    return torch::batch_norm(x, weight, bias, running_mean, running_var, is_training(), kMomentum,
                             kEps, at::globalContext().userEnabledCuDNN());
}

torch::Tensor SyncBatchNorm2dImpl::synchronised(const torch::Tensor& x)
{
    // Statistics in float32 also under autocast; one collective for sums, squares and counts.
    const auto xf = x.to(torch::kFloat32);
    const std::vector<std::int64_t> dims{0, 2, 3};
    const double count = double(x.size(0) * x.size(2) * x.size(3));
    const auto local = torch::stack(
        {xf.sum(dims), (xf * xf).sum(dims), torch::full({x.size(1)}, count, xf.options())});
    const auto total = AllReduceSum::apply(local, reinterpret_cast<std::int64_t>(m_group));
    const auto n = total[2];
    const auto mean = total[0] / n;
    const auto var = (total[1] / n - mean * mean).clamp_min(0); // biased, as batch_norm uses
    const std::vector<std::int64_t> shape{1, -1, 1, 1};
    auto y = (xf - mean.view(shape)) * torch::rsqrt(var + kEps).view(shape);
    if (weight.defined()) y = y * weight.view(shape) + bias.view(shape);
    {
        // The running statistics as batch_norm updates them: the unbiased variance.
        torch::NoGradGuard noGrad;
        running_mean.mul_(1 - kMomentum).add_(mean.detach() * kMomentum);
        running_var.mul_(1 - kMomentum).add_(var.detach() * (n / (n - 1)) * kMomentum);
        num_batches_tracked.add_(1);
    }
    return y.to(x.scalar_type());
}

void syncBatchNorms(torch::nn::Module& module, RankGroup* group)
{
    for (const auto& m : module.modules())
        if (auto bn = std::dynamic_pointer_cast<SyncBatchNorm2dImpl>(m)) bn->syncWith(group);
}

} // namespace wb::darts
