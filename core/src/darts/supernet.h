#pragma once

// The DARTS search network (Liu et al. 2019, `model_search.py`): a stem, L search cells with
// reduction cells at L/3 and 2L/3, global pooling and a linear classifier. The architecture
// weights alpha (normal, reduce; edges x primitives) are held beside the module, not registered
// as its parameters, so parameters() is exactly the weight set w of the bilevel problem.

#include "darts/search_cell.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace wb::darts {

struct SearchConfig;

struct SupernetSpec {
    int inChannels = 1;
    int classes = 10;
    int channels = 8;
    int layers = 5;
    int nodes = 4;
    std::vector<std::string> primitives;
    std::vector<int> moreHeads;     // classes of further heads (multi-dataset pretraining)
    int partialChannels = 1;        // PC-DARTS' K (search_cell.h)
    bool edgeNormalisation = false; // PC-DARTS' beta (search_cell.h)
    bool dirichlet = false;         // DrNAS: op weights ~ Dir(elu(alpha) + 1) (dirichlet.h)

    // The network a search with `config` trains on images of `inChannels` and `classes`.
    static SupernetSpec of(const SearchConfig& config, int inChannels, int classes);
};

class SupernetImpl : public torch::nn::Module {
public:
    explicit SupernetImpl(const SupernetSpec& spec);
    torch::Tensor forward(const torch::Tensor& x);
    // Globally pooled features before the classifier.
    torch::Tensor features(const torch::Tensor& x);

    const SupernetSpec& spec() const { return m_spec; }
    // Every architecture parameter the alpha optimiser trains: alpha (normal, reduce), then beta
    // (normal, reduce) with edge normalisation.
    std::vector<torch::Tensor> alphas() const;
    torch::Tensor& alphaNormal() { return m_alphaNormal; }
    torch::Tensor& alphaReduce() { return m_alphaReduce; }
    // One entry per edge (undefined without edge normalisation).
    torch::Tensor& betaNormal() { return m_betaNormal; }
    torch::Tensor& betaReduce() { return m_betaReduce; }
    // The op weights a forward pass uses for one cell type: softmax(alpha), or for DrNAS a
    // Dirichlet sample while training and its mean in eval mode.
    torch::Tensor opWeights(const torch::Tensor& alpha) const;
    // DrNAS: false makes training passes use the mean too (the Hessian estimate needs one
    // deterministic function of alpha).
    void setDirichletSampling(bool on) { m_sampleDirichlet = on; }
    // The expected op weights (softmax, or the Dirichlet mean): what is shown and derived from.
    torch::Tensor meanOpWeights(const torch::Tensor& alpha) const;
    // softmax(beta) within each node's incoming edges; undefined without edge normalisation.
    torch::Tensor edgeWeights(const torch::Tensor& beta) const;
    // A term the alpha objective adds (DrNAS' weighted KL to the uniform Dirichlet); undefined
    // when the variant has none.
    torch::Tensor architectureRegulariser(double klWeight) const;
    // Head k classifies dataset k; forward() uses the active one (0 unless set).
    int headCount() const { return int(m_heads.size()); }
    void setActiveHead(int k) { m_activeHead = k; }
    int activeHead() const { return m_activeHead; }
    // Registered names of head k's module: "classifier", then "classifier_1", ...
    static std::string headName(int k);
    // Moves weights and alphas to a device and, optionally, channels_last. alpha is not a
    // registered parameter, so Module::to() alone would leave it behind.
    void place(torch::Device device, bool channelsLast);

private:
    SupernetSpec m_spec;
    torch::nn::Sequential m_stem{nullptr};
    std::vector<SearchCell> m_cells;
    std::vector<torch::nn::Linear> m_heads;
    int m_activeHead = 0;
    torch::Tensor m_alphaNormal;
    torch::Tensor m_alphaReduce;
    torch::Tensor m_betaNormal;
    torch::Tensor m_betaReduce;
    bool m_sampleDirichlet = true;
};
TORCH_MODULE(Supernet);

// Reduction cells sit at layers/3 and 2*layers/3 (the reference's placement).
bool isReductionLayer(int layer, int layers);

// Moves every 4-D parameter and buffer to channels_last in place. Module::to() has no memory
// format in C++, and contiguous(ChannelsLast) is a no-op for 1x1 and depthwise weights whose
// strides are ambiguous, so the data is copied with an explicit format.
void convertToChannelsLast(torch::nn::Module& module);

} // namespace wb::darts
