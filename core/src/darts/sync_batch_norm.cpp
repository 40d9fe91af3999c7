#include "darts/sync_batch_norm.h"

#include "darts/kernel_choice.h"
#include "darts/norm_kernels.h"
#include "darts/rank_group.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

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

// Training-mode batch norm whose forward pass is our kernels' (norm_kernels.h): the output and
// the running statistics as batch_norm updates them. The backward pass is ATen's, from the saved
// mean and 1/std: it is fast (0.1 ms for 64 x 4 x 28 x 28 images, where ours took 0.2), and
// its own derivative is defined, as the Hessian-vector products of the collapse signal need.
// An affine-free norm passes empty weight and bias (a custom autograd function takes no
// undefined tensors).
class ChannelBatchNorm : public torch::autograd::Function<ChannelBatchNorm> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                 const torch::Tensor& weight, const torch::Tensor& bias,
                                 torch::Tensor runningMean, torch::Tensor runningVar)
    {
        const kernels::NormShape s{x.size(0), x.size(1), x.size(2) * x.size(3)};
        auto mean = torch::empty({s.c}, x.options());
        auto invstd = torch::empty({s.c}, x.options());
        std::vector<float> var(std::size_t(s.c)), a(var.size()), b(var.size());
        kernels::channelMoments(x.data_ptr<float>(), s, mean.data_ptr<float>(), var.data());
        const double count = double(s.n * s.pixels);
        // Plain loops over the channels: a handful of floats, where tensor ops would each cost
        // a dispatch.
        auto* m = mean.data_ptr<float>();
        auto* is = invstd.data_ptr<float>();
        auto* rm = runningMean.data_ptr<float>();
        auto* rv = runningVar.data_ptr<float>();
        const auto momentum = float(SyncBatchNorm2dImpl::kMomentum);
        const float* w = weight.numel() ? weight.data_ptr<float>() : nullptr;
        const float* bi = bias.numel() ? bias.data_ptr<float>() : nullptr;
        for (std::int64_t c = 0; c < s.c; ++c) {
            is[c] = float(1.0 / std::sqrt(double(var[c]) + SyncBatchNorm2dImpl::kEps));
            a[c] = w ? is[c] * w[c] : is[c];
            b[c] = (bi ? bi[c] : 0.0f) - m[c] * a[c];
            rm[c] = (1 - momentum) * rm[c] + momentum * m[c];
            rv[c] = (1 - momentum) * rv[c] + momentum * float(var[c] * count / (count - 1));
        }
        auto y = torch::empty_like(x);
        kernels::channelAffine(x.data_ptr<float>(), s, a.data(), b.data(), y.data_ptr<float>());
        ctx->save_for_backward({x, weight, mean, invstd});
        return y;
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const auto &x = saved[0], &weight = saved[1], &mean = saved[2], &invstd = saved[3];
        const auto g = grads[0].contiguous();
        const bool affine = weight.numel() > 0;
        const std::array<bool, 3> wanted{ctx->needs_input_grad(0),
                                         affine && ctx->needs_input_grad(1),
                                         affine && ctx->needs_input_grad(2)};
        const auto [gx, gw, gb] = torch::native_batch_norm_backward(
            g, x, affine ? weight : torch::Tensor(), {}, {}, mean, invstd, true,
            SyncBatchNorm2dImpl::kEps, wanted);
        return {gx, gw, gb, {}, {}};
    }
};

// What our forward kernels take. They were faster than ATen's on every NCHW shape measured
// (forward + backward, best of 30, one thread: `supernet bench kernels`).
bool channelKernelsTake(const torch::Tensor& x, const torch::Tensor& weight,
                        const torch::Tensor& runningMean, const torch::Tensor& runningVar)
{
    return x.dim() == 4 && x.numel() > 0 && oursTake(x) && oursTake(runningMean) &&
           oursTake(runningVar) && (!weight.defined() || oursTake(weight));
}

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
    // BatchNorm2d's check: one value per channel has no variance to normalise by.
    TORCH_CHECK(!is_training() || x.dim() != 4 || x.size(0) * x.size(2) * x.size(3) != 1,
                "Expected more than 1 value per channel when training, got input size ",
                x.sizes());
    if (m_group && m_group->size() > 1 && is_training()) return synchronised(x);
    if (is_training()) num_batches_tracked.add_(1);
    if (is_training() && channelKernelsTake(x, weight, running_mean, running_var) &&
        useOurs(true))
        return ChannelBatchNorm::apply(x, weight.defined() ? weight : torch::empty({0}),
                                       bias.defined() ? bias : torch::empty({0}), running_mean,
                                       running_var);
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
