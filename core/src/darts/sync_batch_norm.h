#pragma once

// BatchNorm that can take its training statistics over the whole batch of a data-parallel step
// (--sync-bn; PyTorch's SyncBatchNorm): the ranks all-reduce each channel's sum, sum of squares
// and count, and the backward pass all-reduces the gradients of those sums, so every rank's
// gradient is that of one network run on the whole batch. Without a group, or in eval mode, it
// is torch's batch_norm; its parameters and buffers have BatchNorm2d's names, so checkpoints are
// the same either way.

#include <torch/torch.h>

#include <cstdint>
#include <ostream>

namespace wb::darts {

class RankGroup;

class SyncBatchNorm2dImpl : public torch::nn::Module {
public:
    // BatchNorm2d's defaults: eps 1e-5, momentum 0.1, running statistics tracked.
    SyncBatchNorm2dImpl(std::int64_t channels, bool affine);
    torch::Tensor forward(const torch::Tensor& x);
    // Training statistics over the ranks of `group` from now on; null = this batch's own.
    // Every rank must then run the same forward and backward passes (their collectives pair).
    void syncWith(RankGroup* group) { m_group = group; }
    void pretty_print(std::ostream& stream) const override;

    static constexpr double kEps = 1e-5;
    static constexpr double kMomentum = 0.1;
    torch::Tensor weight, bias; // undefined unless affine
    torch::Tensor running_mean, running_var, num_batches_tracked;

private:
    torch::Tensor synchronised(const torch::Tensor& x);
    RankGroup* m_group = nullptr;
};
TORCH_MODULE(SyncBatchNorm2d);

// Points every SyncBatchNorm2d inside `module` at `group` (null: back to per-batch statistics).
void syncBatchNorms(torch::nn::Module& module, RankGroup* group);

} // namespace wb::darts
