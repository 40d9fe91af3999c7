#include "darts/supernet.h"

#include "wb/darts/genotype.h"

namespace wb::darts {

bool isReductionLayer(int layer, int layers)
{
    return layer == layers / 3 || layer == 2 * layers / 3;
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
        m_cells.push_back(register_module(
            "cell_" + std::to_string(i),
            SearchCell(spec.nodes, cPrevPrev, cPrev, cCurr, reduction, reductionPrev,
                       spec.primitives)));
        reductionPrev = reduction;
        cPrevPrev = cPrev;
        cPrev = spec.nodes * cCurr;
    }
    m_heads.push_back(register_module(headName(0), torch::nn::Linear(cPrev, spec.classes)));
    for (std::size_t k = 0; k < spec.moreHeads.size(); ++k)
        m_heads.push_back(register_module(headName(int(k) + 1),
                                          torch::nn::Linear(cPrev, spec.moreHeads[k])));

    // Reference initialisation: 1e-3 * N(0, 1), so the first softmax is nearly uniform.
    const auto shape = std::vector<int64_t>{edgeCount(spec.nodes), int64_t(spec.primitives.size())};
    m_alphaNormal = (1e-3 * torch::randn(shape)).requires_grad_(true);
    m_alphaReduce = (1e-3 * torch::randn(shape)).requires_grad_(true);
}

torch::Tensor SupernetImpl::features(const torch::Tensor& x)
{
    auto s0 = m_stem->forward(x);
    auto s1 = s0;
    // softmax once per cell type and forward pass, not once per cell.
    const auto wNormal = torch::softmax(m_alphaNormal, -1);
    const auto wReduce = torch::softmax(m_alphaReduce, -1);
    for (auto& cell : m_cells) {
        auto next = cell->forward(s0, s1, cell->reduction() ? wReduce : wNormal);
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
    if (channelsLast) convertToChannelsLast(*this);
}

void convertToChannelsLast(torch::nn::Module& module)
{
    torch::NoGradGuard noGrad;
    auto convert = [](torch::Tensor& t) {
        if (t.defined() && t.dim() == 4)
            t.set_data(t.data().to(t.options(), false, true, torch::MemoryFormat::ChannelsLast));
    };
    for (auto& p : module.parameters()) convert(p);
    for (auto& b : module.buffers()) convert(b);
}

} // namespace wb::darts
