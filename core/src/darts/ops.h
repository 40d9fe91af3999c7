#pragma once

// The DARTS primitives as LibTorch modules (Liu et al. 2019, reference `operations.py`).
// Ops whose first layer is a ReLU declare it through preRelu() instead of applying it, so a cell
// can compute relu(state) once and share it across every edge leaving that state: the result is
// identical and saves most of the ReLU memory traffic of the search network.

#include "darts/sync_batch_norm.h"

#include <torch/torch.h>

#include <memory>
#include <string>

namespace wb::darts {

class OpImpl : public torch::nn::Module {
public:
    virtual torch::Tensor forward(const torch::Tensor& x) = 0;
    // True when the op expects relu(x) rather than x.
    virtual bool preRelu() const { return false; }
};

using Op = std::shared_ptr<OpImpl>;

// Builds the primitive `name` mapping C channels to C (stride 2 halves the spatial size).
// affine=false in the search network (the reference's choice, so BN cannot mask alpha).
// Throws wb::Error for `none` (the search skips it) or an unknown name.
Op makeOp(const std::string& name, int channels, int stride, bool affine);

// 1x1 conv + BN after a shared ReLU: the cell's input preprocessing when sizes already match.
class ReluConvBnImpl : public OpImpl {
public:
    ReluConvBnImpl(int in, int out, int kernel, int stride, int padding, bool affine);
    torch::Tensor forward(const torch::Tensor& x) override;
    bool preRelu() const override { return true; }

private:
    bool m_oneByOne; // a plain 1x1 convolution (pointwise in ops.cpp)
    torch::nn::Conv2d m_conv{nullptr};
    SyncBatchNorm2d m_bn{nullptr};
};

// Halves the resolution with two offset stride-2 1x1 convs whose outputs are concatenated: one
// reads the even pixels, the other the odd ones (the reference's x[:, :, 1:, 1:] path). Odd
// sizes work: the odd path then reads one zero-padded row and column.
class FactorizedReduceImpl : public OpImpl {
public:
    FactorizedReduceImpl(int in, int out, bool affine);
    torch::Tensor forward(const torch::Tensor& x) override;
    bool preRelu() const override { return true; }

private:
    torch::nn::Conv2d m_conv1{nullptr};
    torch::nn::Conv2d m_conv2{nullptr};
    SyncBatchNorm2d m_bn{nullptr};
};

SyncBatchNorm2d makeBatchNorm(int channels, bool affine);

// The convolutions of the sep/dil conv primitives (no bias), with ATen's values and gradients
// to float rounding, second derivatives included: a depthwise convolution (groups = channels)
// and a 1x1 one, both faster than LibTorch 1.13's on NCHW CPU images of few channels
// (conv_kernels.h); channels-last images, GPUs and autocast keep ATen's convolutions.
torch::Tensor depthwiseConv(const torch::Tensor& x, const torch::Tensor& weight, int stride,
                            int padding, int dilation);
torch::Tensor pointwise(const torch::Tensor& x, const torch::Tensor& weight);

// The network stem (3x3 conv to kStemMultiplier * channels, affine BN), shared by the supernet
// and the derived network.
constexpr int kStemMultiplier = 3; // reference value: the stem widens C to 3C
torch::nn::Sequential makeStem(int inChannels, int channels);

// A cell's input preprocessing: s0 is halved when the previous cell reduced, both are mapped
// to C channels.
struct Preprocess {
    Op s0;
    Op s1;
};
Preprocess makePreprocess(int cPrevPrev, int cPrev, int c, bool reductionPrev, bool affine);

} // namespace wb::darts
