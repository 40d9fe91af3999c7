#include "darts/eval_network.h"

#include "darts/supernet.h"

namespace wb::darts {

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
    }
    m_outChannels = int(m_concat.size()) * c;
}

torch::Tensor EvalCellImpl::forward(const torch::Tensor& s0, const torch::Tensor& s1)
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
    for (std::size_t k = 0; k + 1 < m_ops.size(); k += 2)
        states.push_back(m_ops[k]->forward(input(int(k))) + m_ops[k + 1]->forward(input(int(k + 1))));
    std::vector<torch::Tensor> out;
    for (int i : m_concat) out.push_back(states[i]);
    return torch::cat(out, 1);
}

EvalNetworkImpl::EvalNetworkImpl(const Genotype& genotype, int inChannels, int classes,
                                 int channels, int layers)
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
    }
    m_classifier = register_module("classifier", torch::nn::Linear(cPrev, classes));
}

torch::Tensor EvalNetworkImpl::forward(const torch::Tensor& x)
{
    auto s0 = m_stem->forward(x);
    auto s1 = s0;
    for (auto& cell : m_cells) {
        auto next = cell->forward(s0, s1);
        s0 = s1;
        s1 = next;
    }
    return m_classifier(torch::adaptive_avg_pool2d(s1, {1, 1}).flatten(1));
}

} // namespace wb::darts
