#include "darts/pool.h"

#include "darts/kernel_choice.h"
#include "darts/pool_kernels.h"

namespace wb::darts {
namespace {

// The kernels read channels-last images; a contiguous (NCHW) batch is N * C one-channel images.
torch::MemoryFormat layoutOf(const torch::Tensor& x)
{
    return x.is_contiguous() ? torch::MemoryFormat::Contiguous : torch::MemoryFormat::ChannelsLast;
}

torch::Tensor atenPool(const torch::Tensor& x, bool max, int stride)
{
    return max ? torch::max_pool2d(x, 3, stride, 1)
               : torch::avg_pool2d(x, 3, stride, 1, /*ceil_mode=*/false,
                                   /*count_include_pad=*/false);
}

kernels::PoolShape shapeOf(const torch::Tensor& x, std::int64_t stride)
{
    if (layoutOf(x) == torch::MemoryFormat::Contiguous)
        return {x.size(0) * x.size(1), x.size(2), x.size(3), 1, int(stride)};
    return {x.size(0), x.size(2), x.size(3), x.size(1), int(stride)};
}

class Pool3x3 : public torch::autograd::Function<Pool3x3> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                 bool max, std::int64_t stride)
    {
        const auto s = shapeOf(x, stride);
        auto y = torch::empty({x.size(0), x.size(1), s.outH(), s.outW()},
                              x.options().memory_format(layoutOf(x)));
        torch::Tensor argmax;
        if (max) {
            argmax = torch::empty({y.numel()}, x.options().dtype(torch::kUInt8));
            kernels::maxPoolForward(x.data_ptr<float>(), s, y.data_ptr<float>(),
                                    argmax.data_ptr<std::uint8_t>());
        } else {
            kernels::avgPoolForward(x.data_ptr<float>(), s, y.data_ptr<float>());
        }
        ctx->save_for_backward({x, argmax});
        ctx->saved_data["max"] = max;
        ctx->saved_data["stride"] = stride;
        return y;
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const auto& x = saved[0];
        const bool max = ctx->saved_data["max"].toBool();
        const auto stride = ctx->saved_data["stride"].toInt();
        if (torch::GradMode::is_enabled()) {
            // A gradient that will be differentiated again (create_graph): ATen's backward,
            // whose own derivative autograd knows. Only Hessian-vector products come here.
            const auto g = grads[0];
            const auto xd = x.detach();
            const auto gx =
                max ? at::max_pool2d_with_indices_backward(
                          g, xd, {3, 3}, {stride, stride}, {1, 1}, {1, 1}, false,
                          std::get<1>(at::max_pool2d_with_indices(xd, {3, 3}, {stride, stride},
                                                                  {1, 1}, {1, 1}, false)))
                    : at::avg_pool2d_backward(g, xd, {3, 3}, {stride, stride}, {1, 1}, false,
                                              /*count_include_pad=*/false, c10::nullopt);
            return {gx, torch::Tensor(), torch::Tensor()};
        }
        const auto s = shapeOf(x, stride);
        const auto g = grads[0].contiguous(layoutOf(x));
        auto gx = torch::empty_like(x, x.options().memory_format(layoutOf(x)));
        if (max)
            kernels::maxPoolBackward(g.data_ptr<float>(), saved[1].data_ptr<std::uint8_t>(), s,
                                     gx.data_ptr<float>());
        else
            kernels::avgPoolBackward(g.data_ptr<float>(), s, gx.data_ptr<float>());
        return {gx, torch::Tensor(), torch::Tensor()};
    }
};

} // namespace

torch::Tensor pool3x3(const torch::Tensor& x, bool max, int stride)
{
    const bool fit = x.dim() == 4 && x.device().is_cpu() && x.scalar_type() == torch::kFloat32 &&
                     x.numel() > 0 && !x.is_mkldnn() &&
                     (x.is_contiguous() || x.is_contiguous(torch::MemoryFormat::ChannelsLast));
    // ATen's max pooling is the faster one (by 10-35%, forward + backward, 64 images, one
    // thread) on channels-last images of 16 channels or more and at stride 2 on images of 7 x 7
    // or less; ours are 1.2-5x faster everywhere else the search network pools.
    const bool atenFaster =
        max && ((!x.is_contiguous() && x.size(1) >= 16) || (stride == 2 && x.size(2) <= 7));
    const bool ours = fit && useOurs(!atenFaster);
    return ours ? Pool3x3::apply(x, max, std::int64_t(stride)) : atenPool(x, max, stride);
}

} // namespace wb::darts
