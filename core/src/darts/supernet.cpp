#include "darts/supernet.h"

#include "darts/dirichlet.h"
#include "wb/darts/genotype.h"
#include "wb/darts/search_config.h"

namespace wb::darts {

bool isReductionLayer(int layer, int layers)
{
    return layer == layers / 3 || layer == 2 * layers / 3;
}

SupernetSpec SupernetSpec::of(const SearchConfig& config, int inChannels, int classes)
{
    SupernetSpec spec;
    spec.inChannels = inChannels;
    spec.classes = classes;
    spec.channels = config.channels;
    spec.layers = config.layers;
    spec.nodes = config.nodes;
    spec.primitives = config.effectivePrimitives();
    spec.partialChannels = config.effectivePartialChannels();
    spec.edgeNormalisation = config.variant == "pc-darts";
    spec.dirichlet = config.variant == "drnas";
    return spec;
}

SupernetImpl::SupernetImpl(const SupernetSpec& spec) : m_spec(spec)
{
    int cCurr = spec.channels;
    m_stem = register_module("stem", makeStem(spec.inChannels, spec.channels));
    int cPrevPrev = kStemMultiplier * cCurr;
    int cPrev = kStemMultiplier * cCurr;
    bool reductionPrev = false;
    for (int i = 0; i < spec.layers; ++i) {
        const bool reduction = isReductionLayer(i, spec.layers);
        if (reduction) cCurr *= 2;
        m_cells.push_back(
            register_module("cell_" + std::to_string(i),
                            SearchCell(spec.nodes, cPrevPrev, cPrev, cCurr, reduction,
                                       reductionPrev, spec.primitives, spec.partialChannels)));
        reductionPrev = reduction;
        cPrevPrev = cPrev;
        cPrev = spec.nodes * cCurr;
    }
    m_heads.push_back(register_module(headName(0), torch::nn::Linear(cPrev, spec.classes)));
    for (std::size_t k = 0; k < spec.moreHeads.size(); ++k)
        m_heads.push_back(
            register_module(headName(int(k) + 1), torch::nn::Linear(cPrev, spec.moreHeads[k])));

    // Reference initialisation: 1e-3 * N(0, 1), so the first softmax is nearly uniform.
    const auto shape = std::vector<int64_t>{edgeCount(spec.nodes), int64_t(spec.primitives.size())};
    m_alphaNormal = (1e-3 * torch::randn(shape)).requires_grad_(true);
    m_alphaReduce = (1e-3 * torch::randn(shape)).requires_grad_(true);
    if (spec.edgeNormalisation) {
        // The same small random start as alpha (PC-DARTS' reference).
        m_betaNormal = (1e-3 * torch::randn({shape[0]})).requires_grad_(true);
        m_betaReduce = (1e-3 * torch::randn({shape[0]})).requires_grad_(true);
    }
}

std::vector<torch::Tensor> SupernetImpl::alphas() const
{
    if (!m_spec.edgeNormalisation) return {m_alphaNormal, m_alphaReduce};
    return {m_alphaNormal, m_alphaReduce, m_betaNormal, m_betaReduce};
}

torch::Tensor SupernetImpl::opWeights(const torch::Tensor& alpha) const
{
    if (m_spec.dirichlet && is_training() && m_sampleDirichlet)
        return sampleDirichlet(dirichletConcentration(alpha));
    return meanOpWeights(alpha);
}

torch::Tensor SupernetImpl::meanOpWeights(const torch::Tensor& alpha) const
{
    if (m_spec.dirichlet) return dirichletMean(dirichletConcentration(alpha));
    return torch::softmax(alpha, -1);
}

torch::Tensor SupernetImpl::edgeWeights(const torch::Tensor& beta) const
{
    if (!beta.defined()) return {};
    // Node j has j + 2 incoming edges, stored one node after the other.
    std::vector<torch::Tensor> parts;
    for (int j = 0, start = 0; j < m_spec.nodes; start += j + 2, ++j)
        parts.push_back(torch::softmax(beta.narrow(0, start, j + 2), 0));
    return torch::cat(parts);
}

torch::Tensor SupernetImpl::architectureRegulariser(double klWeight) const
{
    if (!m_spec.dirichlet || klWeight == 0) return {};
    const auto prior = torch::ones_like(m_alphaNormal);
    return klWeight * (dirichletKl(dirichletConcentration(m_alphaNormal), prior).sum() +
                       dirichletKl(dirichletConcentration(m_alphaReduce), prior).sum());
}

torch::Tensor SupernetImpl::features(const torch::Tensor& x)
{
    auto s0 = m_stem->forward(x);
    auto s1 = s0;
    // The weights once per cell type and forward pass, not once per cell (DrNAS: one sample
    // shared by the cells of a type, as in its reference).
    const auto wNormal = opWeights(m_alphaNormal);
    const auto wReduce = opWeights(m_alphaReduce);
    const auto eNormal = edgeWeights(m_betaNormal);
    const auto eReduce = edgeWeights(m_betaReduce);
    for (auto& cell : m_cells) {
        const bool r = cell->reduction();
        auto next = cell->forward(s0, s1, r ? wReduce : wNormal, r ? eReduce : eNormal);
        s0 = s1;
        s1 = next;
    }
    return torch::adaptive_avg_pool2d(s1, {1, 1}).flatten(1);
}

torch::Tensor SupernetImpl::forward(const torch::Tensor& x)
{
    return m_heads.at(std::size_t(m_activeHead))(features(x));
}

std::string SupernetImpl::headName(int k)
{
    return k == 0 ? "classifier" : "classifier_" + std::to_string(k);
}

void SupernetImpl::place(torch::Device device, bool channelsLast)
{
    to(device);
    m_alphaNormal = m_alphaNormal.detach().to(device).requires_grad_(true);
    m_alphaReduce = m_alphaReduce.detach().to(device).requires_grad_(true);
    if (m_spec.edgeNormalisation) {
        m_betaNormal = m_betaNormal.detach().to(device).requires_grad_(true);
        m_betaReduce = m_betaReduce.detach().to(device).requires_grad_(true);
    }
    if (channelsLast) convertToChannelsLast(*this);
}

void convertToChannelsLast(torch::nn::Module& module)
{
    torch::NoGradGuard noGrad;
    auto convert = [](torch::Tensor& t) {
        if (t.defined() && t.dim() == 4)
            t.set_data(t.data().to(t.options(), false, true, torch::MemoryFormat::ChannelsLast));
    };
    for (auto& p : module.parameters())
        convert(p);
    for (auto& b : module.buffers())
        convert(b);
}

} // namespace wb::darts
