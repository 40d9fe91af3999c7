#include "darts/ops.h"

#include "darts/conv_kernels.h"
#include "darts/kernel_choice.h"
#include "darts/pool.h"

#include "wb/common/error.h"

namespace wb::darts {
namespace {

namespace nn = torch::nn;

// At most 8 -> 8 channels: at 16 -> 16 on 7 x 7 images oneDNN's is 2x faster (bench kernels).
constexpr std::int64_t kOurPointwiseMaxWeights = 64;

// Depthwise "same" convolution (stride 1 or 2) with a faster backward. LibTorch 1.13's oneDNN
// depthwise backward-data is 2-5x slower than its forward for 5x5 and dilated kernels (measured
// on CPU, channels_last), while the input gradient of a stride-1 same-padded correlation is the
// forward correlation of the output gradient with the spatially flipped kernel. Its forward and
// weight gradient are slow on NCHW images of few channels (conv_kernels.h): ours compute them
// there, except for a gradient that will be differentiated again (create_graph: the
// Hessian-vector products of the collapse signal), which takes ATen's, whose own derivatives
// autograd knows.
class DepthwiseConv : public torch::autograd::Function<DepthwiseConv> {
    // Where ours are faster (64 images, one thread; a microbenchmark of both on every PC-DARTS
    // shape at C=16): the convolution itself on fewer than 8 channels at stride 1 (oneDNN's
    // blocked kernels need 8; below that it takes 3-4 ms where ours take 0.3-0.8 ms on 28 x 28
    // images, and ours lose on small images of more channels); the weight gradient for 5 x 5 or
    // dilated kernels (oneDNN's: 4-13 ms at stride 1, 0.5-2 ms at stride 2; ours 0.3-2 ms), and
    // at stride 1 for fewer than 8 channels.
    static bool oursConvolve(int64_t channels, int64_t stride)
    {
        return channels < 8 && stride == 1;
    }
    static bool oursWeightGrad(int64_t channels, int64_t kernel, int64_t stride, int64_t dilation)
    {
        return kernel >= 5 || dilation > 1 || (stride == 1 && channels < 8);
    }

    static kernels::DepthwiseShape shapeOf(const torch::Tensor& in, const torch::Tensor& out,
                                           int64_t kernel, int64_t stride, int64_t padding,
                                           int64_t dilation)
    {
        return {.n = in.size(0),
                .c = in.size(1),
                .h = in.size(2),
                .w = in.size(3),
                .outH = out.size(2),
                .outW = out.size(3),
                .kernel = int(kernel),
                .stride = int(stride),
                .padding = int(padding),
                .dilation = int(dilation)};
    }

    // The convolution by our kernel; `weight` contiguous.
    static torch::Tensor ourForward(const torch::Tensor& x, const torch::Tensor& weight,
                                    int64_t stride, int64_t padding, int64_t dilation)
    {
        const auto k = weight.size(2);
        const auto size = [&](int64_t in) {
            return (in + 2 * padding - dilation * (k - 1) - 1) / stride + 1;
        };
        auto y =
            torch::empty({x.size(0), x.size(1), size(x.size(2)), size(x.size(3))}, x.options());
        kernels::depthwiseForward(x.data_ptr<float>(), weight.data_ptr<float>(),
                                  shapeOf(x, y, k, stride, padding, dilation), y.data_ptr<float>());
        return y;
    }

public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                 const torch::Tensor& weight, int64_t stride, int64_t padding,
                                 int64_t dilation)
    {
        ctx->save_for_backward({x, weight});
        ctx->saved_data["stride"] = stride;
        ctx->saved_data["padding"] = padding;
        ctx->saved_data["dilation"] = dilation;
        if (!oursTake(x) || weight.scalar_type() != torch::kFloat32 ||
            !useOurs(oursConvolve(x.size(1), stride)))
            return torch::conv2d(x, weight, {}, stride, padding, dilation, weight.size(0));
        return ourForward(x, weight.contiguous(), stride, padding, dilation);
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const auto& x = saved[0];
        const auto& w = saved[1];
        const int64_t stride = ctx->saved_data["stride"].toInt();
        const int64_t padding = ctx->saved_data["padding"].toInt();
        const int64_t dilation = ctx->saved_data["dilation"].toInt();
        const auto g = grads[0].contiguous(x.suggest_memory_format());
        // Under autocast the forward ran in g's precision whatever x and w are; the backward
        // runs outside autocast, so it casts them itself, and the gradients back to theirs.
        const auto xg = x.to(g.scalar_type());
        const auto wg = w.to(g.scalar_type());
        const bool twice = torch::GradMode::is_enabled();
        const auto atenGrads = [&](bool input, bool weight) {
            return torch::convolution_backward(g, xg, wg, c10::nullopt, {stride, stride},
                                               {padding, padding}, {dilation, dilation}, false,
                                               {0, 0}, w.size(0), {input, weight, false});
        };
        // Our kernels where their inputs fit and they are faster, and never for a gradient
        // differentiated again.
        const bool fit = !twice && oursTake(xg) && oursTake(g);
        torch::Tensor gx, gw;
        if (ctx->needs_input_grad(0) && stride == 1)
            gx = fit && useOurs(oursConvolve(x.size(1), 1))
                     ? ourForward(g, wg.flip({2, 3}).contiguous(), 1, padding, dilation)
                     : torch::conv2d(g, wg.flip({2, 3}), {}, 1, padding, dilation, w.size(0));
        else if (ctx->needs_input_grad(0))
            gx = std::get<0>(atenGrads(true, false));
        if (gx.defined()) gx = gx.to(x.scalar_type());
        if (ctx->needs_input_grad(1)) {
            if (fit && useOurs(oursWeightGrad(x.size(1), w.size(2), stride, dilation))) {
                gw = torch::empty_like(wg, torch::MemoryFormat::Contiguous);
                kernels::depthwiseWeightGrad(xg.data_ptr<float>(), g.data_ptr<float>(),
                                             shapeOf(xg, g, w.size(2), stride, padding, dilation),
                                             gw.data_ptr<float>());
            } else {
                gw = std::get<1>(atenGrads(false, true));
            }
            gw = gw.to(w.scalar_type());
        }
        return {gx, gw, torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

// A 1x1 convolution by our kernels (conv_kernels.h), for the inputs oursTake() accepts; as in
// DepthwiseConv, a gradient differentiated again takes ATen's backward.
class PointwiseConv : public torch::autograd::Function<PointwiseConv> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                 const torch::Tensor& weight)
    {
        ctx->save_for_backward({x, weight});
        const auto w = weight.contiguous();
        auto y = torch::empty({x.size(0), w.size(0), x.size(2), x.size(3)}, x.options());
        kernels::pointwiseForward(x.data_ptr<float>(), w.data_ptr<float>(), x.size(0), w.size(1),
                                  w.size(0), x.size(2) * x.size(3), y.data_ptr<float>());
        return y;
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const auto& x = saved[0];
        const auto& w = saved[1];
        const auto g = grads[0].contiguous();
        if (torch::GradMode::is_enabled()) {
            const auto [gx, gw, unused] =
                torch::convolution_backward(g, x, w, c10::nullopt, {1, 1}, {0, 0}, {1, 1}, false,
                                            {0, 0}, 1, {true, true, false});
            return {gx, gw};
        }
        const auto n = x.size(0), in = w.size(1), out = w.size(0), pixels = x.size(2) * x.size(3);
        torch::Tensor gx, gw;
        if (ctx->needs_input_grad(0)) {
            // The input gradient is the 1x1 convolution of g with the transposed weight.
            const auto wt = w.view({out, in}).t().contiguous();
            gx = torch::empty_like(x, torch::MemoryFormat::Contiguous);
            kernels::pointwiseForward(g.data_ptr<float>(), wt.data_ptr<float>(), n, out, in, pixels,
                                      gx.data_ptr<float>());
        }
        if (ctx->needs_input_grad(1)) {
            gw = torch::empty_like(w, torch::MemoryFormat::Contiguous);
            kernels::pointwiseWeightGrad(x.data_ptr<float>(), g.data_ptr<float>(), n, in, out,
                                         pixels, gw.data_ptr<float>());
        }
        return {gx, gw};
    }
};

nn::Conv2d conv(int in, int out, int kernel, int stride, int padding, int dilation = 1,
                int groups = 1)
{
    return nn::Conv2d(nn::Conv2dOptions(in, out, kernel)
                          .stride(stride)
                          .padding(padding)
                          .dilation(dilation)
                          .groups(groups)
                          .bias(false));
}

// depthwise k x k (dilated) conv, pointwise 1x1 conv, BN; the leading ReLU is shared.
class DilConvImpl : public OpImpl {
public:
    DilConvImpl(int in, int out, int kernel, int stride, int padding, int dilation, bool affine)
        : m_stride(stride), m_padding(padding), m_dilation(dilation),
          m_depthwise(
              register_module("depthwise", conv(in, in, kernel, stride, padding, dilation, in))),
          m_pointwise(register_module("pointwise", conv(in, out, 1, 1, 0))),
          m_bn(register_module("bn", makeBatchNorm(out, affine)))
    {
    }
    torch::Tensor forward(const torch::Tensor& x) override
    {
        const auto y = depthwiseConv(x, m_depthwise->weight, m_stride, m_padding, m_dilation);
        return m_bn(pointwise(y, m_pointwise->weight));
    }
    bool preRelu() const override { return true; }

private:
    int m_stride;
    int m_padding;
    int m_dilation;
    nn::Conv2d m_depthwise;
    nn::Conv2d m_pointwise;
    SyncBatchNorm2d m_bn;
};

// Two stacked dilation-1 DilConvs, the second with stride 1 and its own ReLU.
class SepConvImpl : public OpImpl {
public:
    SepConvImpl(int channels, int kernel, int stride, int padding, bool affine)
        : m_first(std::make_shared<DilConvImpl>(channels, channels, kernel, stride, padding, 1,
                                                affine)),
          m_second(std::make_shared<DilConvImpl>(channels, channels, kernel, 1, padding, 1, affine))
    {
        register_module("op1", m_first);
        register_module("op2", m_second);
    }
    torch::Tensor forward(const torch::Tensor& x) override
    {
        return m_second->forward(torch::relu(m_first->forward(x)));
    }
    bool preRelu() const override { return true; }

private:
    std::shared_ptr<DilConvImpl> m_first;
    std::shared_ptr<DilConvImpl> m_second;
};

class PoolImpl : public OpImpl {
public:
    PoolImpl(bool max, int channels, int stride, bool withBn) : m_max(max), m_stride(stride)
    {
        // The search network follows each pool with an affine-free BN (reference MixedOp).
        if (withBn) m_bn = register_module("bn", makeBatchNorm(channels, false));
    }
    torch::Tensor forward(const torch::Tensor& x) override
    {
        auto y = pool3x3(x, m_max, m_stride);
        return m_bn ? m_bn(y) : y;
    }

private:
    bool m_max;
    int m_stride;
    SyncBatchNorm2d m_bn{nullptr};
};

class IdentityImpl : public OpImpl {
public:
    torch::Tensor forward(const torch::Tensor& x) override { return x; }
};

} // namespace

torch::Tensor depthwiseConv(const torch::Tensor& x, const torch::Tensor& weight, int stride,
                            int padding, int dilation)
{
    return DepthwiseConv::apply(x, weight, stride, padding, dilation);
}

torch::Tensor pointwise(const torch::Tensor& x, const torch::Tensor& weight)
{
    // Our kernel only for the few channels of partial-channel edges: it does not block for the
    // cache, and from 16 channels on oneDNN's is faster (2x at 16, 5x at 32 and more).
    const bool ours = x.dim() == 4 && oursTake(x) && weight.scalar_type() == torch::kFloat32 &&
                      useOurs(weight.size(0) * weight.size(1) <= kOurPointwiseMaxWeights);
    return ours ? PointwiseConv::apply(x, weight) : torch::conv2d(x, weight);
}

SyncBatchNorm2d makeBatchNorm(int channels, bool affine)
{
    return SyncBatchNorm2d(channels, affine);
}

ReluConvBnImpl::ReluConvBnImpl(int in, int out, int kernel, int stride, int padding, bool affine)
    : m_oneByOne(kernel == 1 && stride == 1 && padding == 0),
      m_conv(register_module("conv", conv(in, out, kernel, stride, padding))),
      m_bn(register_module("bn", makeBatchNorm(out, affine)))
{
}

torch::Tensor ReluConvBnImpl::forward(const torch::Tensor& x)
{
    return m_bn(m_oneByOne ? pointwise(x, m_conv->weight) : m_conv(x));
}

FactorizedReduceImpl::FactorizedReduceImpl(int in, int out, bool affine)
    : m_conv1(register_module("conv_1", conv(in, out / 2, 1, 2, 0))),
      m_conv2(register_module("conv_2", conv(in, out - out / 2, 1, 2, 1))),
      m_bn(register_module("bn", makeBatchNorm(out, affine)))
{
}

torch::Tensor FactorizedReduceImpl::forward(const torch::Tensor& x)
{
    using torch::indexing::Slice;
    // conv_2 has padding 1, so its output (i, j) >= 1 reads x(2i - 1, 2j - 1): the odd pixels,
    // as conv(x[:, :, 1:, 1:]) would, but slicing the small output instead of the large input.
    auto odd = m_conv2(x).index({Slice(), Slice(), Slice(1), Slice(1)});
    return m_bn(torch::cat({m_conv1(x), odd}, 1));
}

torch::nn::Sequential makeStem(int inChannels, int channels)
{
    const int out = kStemMultiplier * channels;
    return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(inChannels, out, 3).padding(1).bias(false)),
                          makeBatchNorm(out, true));
}

Preprocess makePreprocess(int cPrevPrev, int cPrev, int c, bool reductionPrev, bool affine)
{
    Preprocess p;
    if (reductionPrev)
        p.s0 = std::make_shared<FactorizedReduceImpl>(cPrevPrev, c, affine);
    else
        p.s0 = std::make_shared<ReluConvBnImpl>(cPrevPrev, c, 1, 1, 0, affine);
    p.s1 = std::make_shared<ReluConvBnImpl>(cPrev, c, 1, 1, 0, affine);
    return p;
}

Op makeOp(const std::string& name, int c, int stride, bool affine)
{
    const bool search = !affine;
    if (name == "max_pool_3x3") return std::make_shared<PoolImpl>(true, c, stride, search);
    if (name == "avg_pool_3x3") return std::make_shared<PoolImpl>(false, c, stride, search);
    if (name == "skip_connect") {
        if (stride == 1) return std::make_shared<IdentityImpl>();
        return std::make_shared<FactorizedReduceImpl>(c, c, affine);
    }
    if (name == "sep_conv_3x3") return std::make_shared<SepConvImpl>(c, 3, stride, 1, affine);
    if (name == "sep_conv_5x5") return std::make_shared<SepConvImpl>(c, 5, stride, 2, affine);
    if (name == "sep_conv_7x7") return std::make_shared<SepConvImpl>(c, 7, stride, 3, affine);
    if (name == "dil_conv_3x3") return std::make_shared<DilConvImpl>(c, c, 3, stride, 2, 2, affine);
    if (name == "dil_conv_5x5") return std::make_shared<DilConvImpl>(c, c, 5, stride, 4, 2, affine);
    if (name == "none") throw Error("op 'none' has no module: the mixed op skips it");
    throw Error("unknown op '" + name + "'");
}

} // namespace wb::darts
