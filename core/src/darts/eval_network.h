#pragma once

// The discrete network of a genotype (DARTS `model.py`, NetworkCIFAR without the auxiliary
// head): the same macro skeleton as the supernet, each cell built from the genotype's ops with
// affine BN. Used to evaluate a found cell by training it from scratch.

#include "darts/ops.h"
#include "wb/darts/genotype.h"

#include <torch/torch.h>

#include <vector>

namespace wb::darts {

class EvalCellImpl : public torch::nn::Module {
public:
    EvalCellImpl(const Genotype& genotype, int cPrevPrev, int cPrev, int c, bool reduction,
                 bool reductionPrev);
    torch::Tensor forward(const torch::Tensor& s0, const torch::Tensor& s1);
    int outChannels() const { return m_outChannels; }

private:
    Op m_pre0;
    Op m_pre1;
    std::vector<Op> m_ops;
    std::vector<int> m_inputs;
    std::vector<int> m_concat;
    int m_outChannels = 0;
};
TORCH_MODULE(EvalCell);

class EvalNetworkImpl : public torch::nn::Module {
public:
    EvalNetworkImpl(const Genotype& genotype, int inChannels, int classes, int channels,
                    int layers);
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::Sequential m_stem{nullptr};
    std::vector<EvalCell> m_cells;
    torch::nn::Linear m_classifier{nullptr};
};
TORCH_MODULE(EvalNetwork);

} // namespace wb::darts
