#pragma once

// The DARTS search cell: every edge i -> j is a MixedOp sum_o w_ijo * o(x_i) with op weights w
// (softmax(alpha_ij) in DARTS, Liu et al. 2019, eq. 2); node j sums its edges from all earlier
// states; the output concatenates the intermediate nodes.
//
// PC-DARTS (Xu et al. 2020) changes two things. Partial channels: an edge's ops see only the
// first 1/K of its input channels; the rest bypass them (max-pooled on a reduction edge), and a
// channel shuffle mixes the two parts for the next cell. Edge normalisation: node j sums its
// edges weighted by softmax(beta_j), one beta per incoming edge, which steadies the edge choice
// that partial channels make noisy.

#include "darts/ops.h"

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

namespace wb::darts {

class MixedOpImpl : public torch::nn::Module {
public:
    // `partial` = K: the ops are built for channels / K.
    MixedOpImpl(int channels, int stride, const std::vector<std::string>& primitives,
                int partial = 1);
    // `weights` holds one scalar per primitive (in primitive order). `none` contributes exactly
    // zero, so it is skipped rather than computed.
    // With partial channels and `bypass` given (the channels that skip the ops, as
    // bypassedChannels makes them), x and reluX hold only the channels the ops see (the first
    // 1/K: the cell splits each state once); with `bypass` undefined, x and reluX are whole and
    // are split here.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& reluX,
                          const std::vector<torch::Tensor>& weights,
                          const torch::Tensor& bypass = {});
    // sum_o w_o * o(x) over the channels the ops see: forward() before the shuffle, which the
    // cell applies once per node (the shuffle is linear) rather than once per edge.
    torch::Tensor weightedSum(const torch::Tensor& x, const torch::Tensor& reluX,
                              const std::vector<torch::Tensor>& weights);

private:
    std::vector<std::pair<int, Op>> m_ops; // (primitive index, module)
    int m_partial;
    int m_stride;
};
TORCH_MODULE(MixedOp);

class SearchCellImpl : public torch::nn::Module {
public:
    SearchCellImpl(int nodes, int cPrevPrev, int cPrev, int c, bool reduction, bool reductionPrev,
                   const std::vector<std::string>& primitives, int partial = 1);
    // weights: the op weights of this cell type, shape (edges x primitives); edgeWeights, when
    // defined: one weight per edge (edge normalisation).
    torch::Tensor forward(const torch::Tensor& s0, const torch::Tensor& s1,
                          const torch::Tensor& weights, const torch::Tensor& edgeWeights = {});
    bool reduction() const { return m_reduction; }

private:
    int m_nodes;
    bool m_reduction;
    int m_partial;
    Op m_pre0;
    Op m_pre1;
    std::vector<MixedOp> m_edges;
};
TORCH_MODULE(SearchCell);

// Interleaves `groups` equal channel groups (ShuffleNet's channel shuffle), keeping the memory
// format of `x`.
torch::Tensor channelShuffle(const torch::Tensor& x, int groups);
// channelShuffle(cat({sum, rest}, 1), groups), in one copy for NCHW tensors.
torch::Tensor shuffledConcat(const torch::Tensor& sum, const torch::Tensor& rest, int groups);
// x split into its first 1/partial channels (what the ops see) and the rest.
std::vector<torch::Tensor> splitChannels(const torch::Tensor& x, int partial);
// The channels that bypass the ops (splitChannels' second part); for stride 2, max-pooled to the
// size of a stride-2 op's output.
torch::Tensor bypassedChannels(const torch::Tensor& rest, int stride);

} // namespace wb::darts
