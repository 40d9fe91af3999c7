#pragma once

// The discrete network of a genotype (DARTS `model.py`, NetworkCIFAR): the same macro skeleton
// as the supernet, each cell built from the genotype's ops with affine BN. Used to evaluate a
// found cell by training it from scratch, with DARTS' optional auxiliary head and drop-path.
// Module names are those of the exported `model.py` (model_export.h), so its state dict loads
// there as it is.

#include "darts/ops.h"
#include "wb/darts/genotype.h"

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

namespace wb::darts {

class EvalCellImpl : public torch::nn::Module {
public:
    EvalCellImpl(const Genotype& genotype, int cPrevPrev, int cPrev, int c, bool reduction,
                 bool reductionPrev);
    // dropPath: the probability of zeroing each op's output per sample in training mode
    // (identity edges are never dropped; survivors are scaled by 1 / (1 - p)).
    torch::Tensor forward(const torch::Tensor& s0, const torch::Tensor& s1, double dropPath);
    int outChannels() const { return m_outChannels; }

private:
    Op m_pre0;
    Op m_pre1;
    std::vector<Op> m_ops;
    std::vector<int> m_inputs;
    std::vector<bool> m_identity;
    std::vector<int> m_concat;
    int m_outChannels = 0;
};
TORCH_MODULE(EvalCell);

// DARTS' auxiliary classifier (AuxiliaryHeadCIFAR) on the output of the cell at 2/3 depth. The
// reference pools an 8x8 map with a 5x5 window at stride 3; an adaptive pool to 2x2 gives the
// same shape for any image size.
class AuxiliaryHeadImpl : public torch::nn::Module {
public:
    AuxiliaryHeadImpl(int channels, int classes);
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::Sequential m_features{nullptr};
    torch::nn::Linear m_classifier{nullptr};
};
TORCH_MODULE(AuxiliaryHead);

struct EvalOutput {
    torch::Tensor logits;
    torch::Tensor auxiliary; // undefined without the head or in eval mode
};

class EvalNetworkImpl : public torch::nn::Module {
public:
    EvalNetworkImpl(const Genotype& genotype, int inChannels, int classes, int channels, int layers,
                    bool auxiliary = false);
    torch::Tensor forward(const torch::Tensor& x) { return forwardAll(x).logits; }
    EvalOutput forwardAll(const torch::Tensor& x);
    void setDropPath(double p) { m_dropPath = p; }
    // The main network's parameters and buffers by module path, without the auxiliary head:
    // what the exported weights.pt holds.
    std::vector<std::pair<std::string, torch::Tensor>> exportedTensors();

private:
    torch::nn::Sequential m_stem{nullptr};
    std::vector<EvalCell> m_cells;
    torch::nn::Linear m_classifier{nullptr};
    AuxiliaryHead m_auxiliary{nullptr};
    int m_auxiliaryAfter = -1; // the cell whose output feeds the auxiliary head
    double m_dropPath = 0;
};
TORCH_MODULE(EvalNetwork);

} // namespace wb::darts
