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

std::vector<torch::Tensor> splitChannels(const torch::Tensor& x, int partial)
{
    const auto part = x.size(1) / partial;
    return x.split_with_sizes({part, x.size(1) - part}, 1);
}

torch::Tensor bypassedChannels(const torch::Tensor& rest, int stride)
{
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
    if (m_partial > 1 && !bypass.defined()) {
        const auto parts = splitChannels(x, m_partial);
        return forward(parts[0], reluX.narrow(1, 0, parts[0].size(1)), weights,
                       bypassedChannels(parts[1], m_stride));
    }
    const auto sum = weightedSum(x, reluX, weights);
    return m_partial == 1 ? sum : shuffledConcat(sum, bypass, m_partial);
}

torch::Tensor MixedOpImpl::weightedSum(const torch::Tensor& x, const torch::Tensor& reluX,
                                       const std::vector<torch::Tensor>& weights)
{
    // Accumulating in place (addcmul_) into the first product saves a temporary and a memory
    // pass per op; autograd allows it because a product does not save its own output.
    torch::Tensor sum;
    for (auto& [k, op] : m_ops) {
        auto y = op->forward(op->preRelu() ? reluX : x);
        if (sum.defined())
            sum.addcmul_(y, weights[k]);
        else
            sum = y * weights[k];
    }
    return sum;
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
    // What the edges leaving a state read: relu(state) is shared by them all (see ops.h). With
    // partial channels each state is split once into the channels the ops see and the bypass,
    // so the backward adds the gradients of those parts instead of one full-width, zero-padded
    // gradient per edge and view.
    std::vector<torch::Tensor> inputs, reluInputs, bypasses;
    const auto addState = [&](const torch::Tensor& state, int stride) {
        if (m_partial == 1) {
            inputs.push_back(state);
            reluInputs.push_back(torch::relu(state));
            return;
        }
        // The slice the ops see is copied out once, so no op copies or strides through it
        // (pooling, for one, only takes dense images).
        const auto parts = splitChannels(state, m_partial);
        const auto part = parts[0].contiguous(state.suggest_memory_format());
        inputs.push_back(part);
        reluInputs.push_back(torch::relu(part));
        // A reduction cell's inputs reach every node through stride-2 edges: one pooling each.
        bypasses.push_back(bypassedChannels(parts[1], stride));
    };
    for (int i = 0; i < 2; ++i)
        addState(states[std::size_t(i)], m_reduction ? 2 : 1);
    std::vector<std::vector<torch::Tensor>> rows;
    for (const auto& row : weights.unbind(0))
        rows.push_back(row.unbind(0));
    std::vector<torch::Tensor> edgeScale;
    if (edgeWeights.defined()) edgeScale = edgeWeights.unbind(0);

    // node j = sum_i beta_i * shuffle(cat(ops_i, bypass_i)) = shuffle(cat(sum_i beta_i * ops_i,
    // sum_i beta_i * bypass_i)): the shuffle is linear, so each node shuffles once.
    const auto accumulate = [&](torch::Tensor& acc, const torch::Tensor& y, int edge, bool fresh) {
        // Only fresh tensors (never a shared bypass) may become the accumulator itself.
        if (!acc.defined())
            acc = !edgeScale.empty() ? y * edgeScale[edge] : fresh ? y : y.clone();
        else if (edgeScale.empty())
            acc.add_(y);
        else
            acc.addcmul_(y, edgeScale[edge]);
    };
    int edge = 0;
    for (int j = 0; j < m_nodes; ++j) {
        torch::Tensor node, rest;
        for (int i = 0; i < j + 2; ++i, ++edge) {
            const auto y = m_edges[edge]->weightedSum(inputs[std::size_t(i)],
                                                      reluInputs[std::size_t(i)], rows[edge]);
            accumulate(node, y, edge, true);
            if (m_partial > 1) accumulate(rest, bypasses[std::size_t(i)], edge, false);
        }
        if (m_partial > 1) node = shuffledConcat(node, rest, m_partial);
        states.push_back(node);
        if (j + 1 < m_nodes) addState(node, 1);
    }
    return torch::cat(std::vector<torch::Tensor>(states.end() - m_nodes, states.end()), 1);
}

} // namespace wb::darts
