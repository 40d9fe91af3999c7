#include "wb/darts/genotype.h"

#include "wb/common/error.h"

#include <algorithm>
#include <numeric>

namespace wb::darts {
namespace {

std::vector<GenotypeEdge> deriveCell(const std::vector<float>& w, int nodes,
                                     const std::vector<std::string>& primitives)
{
    const int ops = int(primitives.size());
    auto weight = [&](int edge, int op) { return w[std::size_t(edge) * ops + op]; };
    auto bestOp = [&](int edge) {
        int best = -1;
        for (int k = 0; k < ops; ++k)
            if (primitives[k] != "none" && (best < 0 || weight(edge, k) > weight(edge, best)))
                best = k;
        return best;
    };

    std::vector<GenotypeEdge> out;
    int start = 0;
    for (int j = 0; j < nodes; ++j) {
        const int inputs = j + 2;
        std::vector<int> order(inputs);
        std::iota(order.begin(), order.end(), 0);
        // Stable sort keeps the lower input first on ties, as Python's sorted() does.
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
            return weight(start + a, bestOp(start + a)) > weight(start + b, bestOp(start + b));
        });
        for (int k = 0; k < 2; ++k)
            out.push_back({primitives[bestOp(start + order[k])], order[k]});
        start += inputs;
    }
    return out;
}

} // namespace

Genotype deriveGenotype(const std::vector<float>& normalWeights,
                        const std::vector<float>& reduceWeights, int nodes,
                        const std::vector<std::string>& primitives)
{
    const auto expected = std::size_t(edgeCount(nodes)) * primitives.size();
    if (normalWeights.size() != expected || reduceWeights.size() != expected)
        throw Error("deriveGenotype: weight matrices must be " + std::to_string(edgeCount(nodes)) +
                    " x " + std::to_string(primitives.size()));
    if (std::count(primitives.begin(), primitives.end(), "none") ==
        std::ptrdiff_t(primitives.size()))
        throw Error("deriveGenotype: the primitive set has no op besides 'none'");
    Genotype g;
    g.normal = deriveCell(normalWeights, nodes, primitives);
    g.reduce = deriveCell(reduceWeights, nodes, primitives);
    g.normalConcat.resize(nodes);
    std::iota(g.normalConcat.begin(), g.normalConcat.end(), 2);
    g.reduceConcat = g.normalConcat;
    return g;
}

} // namespace wb::darts
