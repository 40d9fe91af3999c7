#pragma once

// Which implementation an op runs where both ours (the *_kernels.cpp files) and ATen's take its
// input: by default the one a microbenchmark measured faster for that shape; `bench kernels`
// forces each in turn to time them against each other. One process-wide setting: the backward
// pass may run on autograd's threads.

#include <torch/torch.h>

namespace wb::darts {

enum class KernelChoice { Fastest, Ours, Aten };

// Sets the choice until destroyed, then restores the previous one.
class KernelChoiceScope {
public:
    explicit KernelChoiceScope(KernelChoice choice);
    ~KernelChoiceScope();
    KernelChoiceScope(const KernelChoiceScope&) = delete;
    KernelChoiceScope& operator=(const KernelChoiceScope&) = delete;

private:
    KernelChoice m_previous;
};

// Float NCHW tensors on the CPU outside autocast (where ATen would compute in a lower
// precision): what the convolution and batch-norm kernels take.
bool oursTake(const torch::Tensor& t);

// Whether to run ours for an input both take: `oursFaster` (the shape rule) unless forced.
bool useOurs(bool oursFaster);

} // namespace wb::darts
