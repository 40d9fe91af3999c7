#pragma once

// The DARTS search cell: every edge i -> j is a MixedOp sum_o softmax(alpha_ij)_o * o(x_i)
// (Liu et al. 2019, eq. 2); node j sums its edges from all earlier states; the output
// concatenates the intermediate nodes.

#include "darts/ops.h"

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

namespace wb::darts {

class MixedOpImpl : public torch::nn::Module {
public:
    MixedOpImpl(int channels, int stride, const std::vector<std::string>& primitives);
    // `weights` holds one scalar per primitive (in primitive order). `none` contributes exactly
    // zero, so it is skipped rather than computed.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& reluX,
                          const std::vector<torch::Tensor>& weights);

private:
    std::vector<std::pair<int, Op>> m_ops;  // (primitive index, module)
};
TORCH_MODULE(MixedOp);

class SearchCellImpl : public torch::nn::Module {
public:
    SearchCellImpl(int nodes, int cPrevPrev, int cPrev, int c, bool reduction, bool reductionPrev,
                   const std::vector<std::string>& primitives);
    // weights: softmax(alpha) of this cell type, shape (edges x primitives).
    torch::Tensor forward(const torch::Tensor& s0, const torch::Tensor& s1,
                          const torch::Tensor& weights);
    bool reduction() const { return m_reduction; }

private:
    int m_nodes;
    bool m_reduction;
    Op m_pre0;
    Op m_pre1;
    std::vector<MixedOp> m_edges;
};
TORCH_MODULE(SearchCell);

} // namespace wb::darts
