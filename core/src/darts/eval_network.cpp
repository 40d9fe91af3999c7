#include "darts/eval_network.h"

#include "darts/supernet.h"

namespace wb::darts {
namespace {

// Zeroes whole samples with probability p and rescales the rest (DARTS' drop_path).
torch::Tensor dropPath(const torch::Tensor& x, double p)
{
    const double keep = 1.0 - p;
    const auto mask = torch::empty({x.size(0), 1, 1, 1}, x.options()).bernoulli_(keep);
    return x * mask / keep;
}

} // namespace

EvalCellImpl::EvalCellImpl(const Genotype& genotype, int cPrevPrev, int cPrev, int c,
                           bool reduction, bool reductionPrev)
{
    const auto pre = makePreprocess(cPrevPrev, cPrev, c, reductionPrev, /*affine=*/true);
    m_pre0 = pre.s0;
    m_pre1 = pre.s1;
    register_module("preprocess0", m_pre0);
    register_module("preprocess1", m_pre1);
    const auto& edges = reduction ? genotype.reduce : genotype.normal;
    m_concat = reduction ? genotype.reduceConcat : genotype.normalConcat;
    for (std::size_t k = 0; k < edges.size(); ++k) {
        const int stride = reduction && edges[k].input < 2 ? 2 : 1;
        m_ops.push_back(makeOp(edges[k].op, c, stride, /*affine=*/true));
        register_module("op_" + std::to_string(k), m_ops.back());
        m_inputs.push_back(edges[k].input);
        m_identity.push_back(edges[k].op == "skip_connect" && stride == 1);
    }
    m_outChannels = int(m_concat.size()) * c;
}

torch::Tensor EvalCellImpl::forward(const torch::Tensor& s0, const torch::Tensor& s1,
                                    double dropProbability)
{
    std::vector<torch::Tensor> states = {m_pre0->forward(torch::relu(s0)),
                                         m_pre1->forward(torch::relu(s1))};
    std::vector<torch::Tensor> reluStates(states.size() + m_ops.size() / 2);
    auto input = [&](int k) {
        const int i = m_inputs[k];
        if (!m_ops[k]->preRelu()) return states[i];
        if (!reluStates[i].defined()) reluStates[i] = torch::relu(states[i]);
        return reluStates[i];
    };
    const bool drop = is_training() && dropProbability > 0;
    auto edge = [&](std::size_t k) {
        auto h = m_ops[k]->forward(input(int(k)));
        return drop && !m_identity[k] ? dropPath(h, dropProbability) : h;
    };
    for (std::size_t k = 0; k + 1 < m_ops.size(); k += 2)
        states.push_back(edge(k) + edge(k + 1));
    std::vector<torch::Tensor> out;
    for (int i : m_concat)
        out.push_back(states[i]);
    return torch::cat(out, 1);
}

AuxiliaryHeadImpl::AuxiliaryHeadImpl(int channels, int classes)
{
    namespace nn = torch::nn;
    m_features = register_module(
        "features", nn::Sequential(nn::ReLU(), nn::AdaptiveAvgPool2d(2),
                                   nn::Conv2d(nn::Conv2dOptions(channels, 128, 1).bias(false)),
                                   nn::BatchNorm2d(128), nn::ReLU(),
                                   nn::Conv2d(nn::Conv2dOptions(128, 768, 2).bias(false)),
                                   nn::BatchNorm2d(768), nn::ReLU()));
    m_classifier = register_module("classifier", nn::Linear(768, classes));
}

torch::Tensor AuxiliaryHeadImpl::forward(const torch::Tensor& x)
{
    return m_classifier(m_features->forward(x).flatten(1));
}

EvalNetworkImpl::EvalNetworkImpl(const Genotype& genotype, int inChannels, int classes,
                                 int channels, int layers, bool auxiliary)
{
    int cCurr = channels;
    m_stem = register_module("stem", makeStem(inChannels, channels));
    int cPrevPrev = kStemMultiplier * cCurr;
    int cPrev = kStemMultiplier * cCurr;
    bool reductionPrev = false;
    for (int i = 0; i < layers; ++i) {
        const bool reduction = isReductionLayer(i, layers);
        if (reduction) cCurr *= 2;
        auto cell = EvalCell(genotype, cPrevPrev, cPrev, cCurr, reduction, reductionPrev);
        m_cells.push_back(register_module("cell_" + std::to_string(i), cell));
        reductionPrev = reduction;
        cPrevPrev = cPrev;
        cPrev = cell->outChannels();
        if (auxiliary && i == 2 * layers / 3) {
            m_auxiliaryAfter = i;
            m_auxiliary = register_module("auxiliary", AuxiliaryHead(cPrev, classes));
        }
    }
    m_classifier = register_module("classifier", torch::nn::Linear(cPrev, classes));
}

EvalOutput EvalNetworkImpl::forwardAll(const torch::Tensor& x)
{
    EvalOutput out;
    auto s0 = m_stem->forward(x);
    auto s1 = s0;
    for (std::size_t i = 0; i < m_cells.size(); ++i) {
        auto next = m_cells[i]->forward(s0, s1, m_dropPath);
        s0 = s1;
        s1 = next;
        if (int(i) == m_auxiliaryAfter && is_training()) out.auxiliary = m_auxiliary(s1);
    }
    out.logits = m_classifier(torch::adaptive_avg_pool2d(s1, {1, 1}).flatten(1));
    return out;
}

std::vector<std::pair<std::string, torch::Tensor>> EvalNetworkImpl::exportedTensors()
{
    std::vector<std::pair<std::string, torch::Tensor>> out;
    const auto keep = [](const std::string& name) { return !name.starts_with("auxiliary."); };
    for (const auto& p : named_parameters())
        if (keep(p.key())) out.emplace_back(p.key(), p.value());
    for (const auto& b : named_buffers())
        if (keep(b.key())) out.emplace_back(b.key(), b.value());
    return out;
}

} // namespace wb::darts
