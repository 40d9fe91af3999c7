#include "darts/search_cell.h"

namespace wb::darts {

torch::Tensor channelShuffle(const torch::Tensor& x, int groups)
{
    const auto n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    if (x.is_contiguous(torch::MemoryFormat::ChannelsLast) && !x.is_contiguous()) {
        // NHWC in memory: shuffle the innermost dimension and view the result as NCHW again.
        return x.permute({0, 2, 3, 1})
            .reshape({n, h, w, groups, c / groups})
            .transpose(3, 4)
            .reshape({n, h, w, c})
            .permute({0, 3, 1, 2});
    }
    return x.reshape({n, groups, c / groups, h, w}).transpose(1, 2).reshape({n, c, h, w});
}

torch::Tensor shuffledConcat(const torch::Tensor& sum, const torch::Tensor& rest, int groups)
{
    if (!sum.is_contiguous()) return channelShuffle(torch::cat({sum, rest}, 1), groups);
    // Output channel a * groups + b is channel a of group b (group 0 = sum, then rest's groups):
    // one cat along a new axis after the group index writes every channel in place.
    const auto n = sum.size(0), part = sum.size(1), h = sum.size(2), w = sum.size(3);
    const auto restGroups = rest.reshape({n, groups - 1, part, h, w}).transpose(1, 2);
    return torch::cat({sum.unsqueeze(2), restGroups}, 2).view({n, part * groups, h, w});
}

torch::Tensor bypassedChannels(const torch::Tensor& x, int partial, int stride)
{
    const auto part = x.size(1) / partial;
    auto rest = x.narrow(1, part, x.size(1) - part);
    // ceil_mode matches the strided ops' output size on odd inputs.
    return stride == 2 ? torch::max_pool2d(rest, 2, 2, 0, 1, /*ceil_mode=*/true) : rest;
}

MixedOpImpl::MixedOpImpl(int channels, int stride, const std::vector<std::string>& primitives,
                         int partial)
    : m_partial(partial), m_stride(stride)
{
    for (int k = 0; k < int(primitives.size()); ++k) {
        if (primitives[k] == "none") continue;
        auto op = makeOp(primitives[k], channels / partial, stride, /*affine=*/false);
        register_module(primitives[k], op);
        m_ops.emplace_back(k, std::move(op));
    }
}

torch::Tensor MixedOpImpl::forward(const torch::Tensor& x, const torch::Tensor& reluX,
                                   const std::vector<torch::Tensor>& weights,
                                   const torch::Tensor& bypass)
{
    const auto part = x.size(1) / m_partial;
    const auto in = m_partial == 1 ? x : x.narrow(1, 0, part);
    const auto reluIn = m_partial == 1 ? reluX : reluX.narrow(1, 0, part);
    // Accumulating in place (addcmul_) into the first product saves a temporary and a memory
    // pass per op; autograd allows it because a product does not save its own output.
    torch::Tensor sum;
    for (auto& [k, op] : m_ops) {
        auto y = op->forward(op->preRelu() ? reluIn : in);
        if (sum.defined())
            sum.addcmul_(y, weights[k]);
        else
            sum = y * weights[k];
    }
    if (m_partial == 1) return sum;
    return shuffledConcat(sum, bypass.defined() ? bypass : bypassedChannels(x, m_partial, m_stride),
                          m_partial);
}

SearchCellImpl::SearchCellImpl(int nodes, int cPrevPrev, int cPrev, int c, bool reduction,
                               bool reductionPrev, const std::vector<std::string>& primitives,
                               int partial)
    : m_nodes(nodes), m_reduction(reduction), m_partial(partial)
{
    const auto pre = makePreprocess(cPrevPrev, cPrev, c, reductionPrev, /*affine=*/false);
    m_pre0 = pre.s0;
    m_pre1 = pre.s1;
    register_module("preprocess0", m_pre0);
    register_module("preprocess1", m_pre1);
    for (int j = 0; j < nodes; ++j) {
        for (int i = 0; i < j + 2; ++i) {
            const int stride = reduction && i < 2 ? 2 : 1;
            m_edges.push_back(register_module("edge_" + std::to_string(m_edges.size()),
                                              MixedOp(c, stride, primitives, partial)));
        }
    }
}

torch::Tensor SearchCellImpl::forward(const torch::Tensor& s0, const torch::Tensor& s1,
                                      const torch::Tensor& weights,
                                      const torch::Tensor& edgeWeights)
{
    std::vector<torch::Tensor> states = {m_pre0->forward(torch::relu(s0)),
                                         m_pre1->forward(torch::relu(s1))};
    // relu(state) is shared by every edge leaving that state (see ops.h).
    std::vector<torch::Tensor> reluStates = {torch::relu(states[0]), torch::relu(states[1])};
    std::vector<std::vector<torch::Tensor>> rows;
    for (const auto& row : weights.unbind(0))
        rows.push_back(row.unbind(0));
    std::vector<torch::Tensor> edgeScale;
    if (edgeWeights.defined()) edgeScale = edgeWeights.unbind(0);
    // Partial channels in a reduction cell: the pooled bypass of each input serves every node.
    std::vector<torch::Tensor> pooledBypass;
    if (m_partial > 1 && m_reduction)
        for (int i = 0; i < 2; ++i)
            pooledBypass.push_back(bypassedChannels(states[i], m_partial, 2));

    int edge = 0;
    for (int j = 0; j < m_nodes; ++j) {
        torch::Tensor node;
        for (int i = 0; i < j + 2; ++i, ++edge) {
            const auto y = m_edges[edge]->forward(states[i], reluStates[i], rows[edge],
                                                  i < int(pooledBypass.size()) ? pooledBypass[i]
                                                                               : torch::Tensor());
            // y is a fresh mixed-op sum, never an alias of a state: accumulating in place is safe.
            if (!node.defined())
                node = edgeScale.empty() ? y : y * edgeScale[edge];
            else if (edgeScale.empty())
                node.add_(y);
            else
                node.addcmul_(y, edgeScale[edge]);
        }
        states.push_back(node);
        if (j + 1 < m_nodes) reluStates.push_back(torch::relu(node));
    }
    return torch::cat(std::vector<torch::Tensor>(states.end() - m_nodes, states.end()), 1);
}

} // namespace wb::darts
