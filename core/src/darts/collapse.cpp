#include "wb/darts/collapse.h"

#include "wb/darts/primitives.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace wb::darts {
namespace {

void edgeStats(const std::vector<float>& w, const std::vector<std::string>& ops, double& paramFree,
               double& entropy)
{
    const std::size_t nOps = ops.size();
    const std::size_t edges = nOps ? w.size() / nOps : 0;
    paramFree = entropy = 0;
    if (!edges) return;
    for (std::size_t e = 0; e < edges; ++e) {
        for (std::size_t k = 0; k < nOps; ++k) {
            const double p = w[e * nOps + k];
            if (isParameterFreeOp(ops[k])) paramFree += p;
            if (p > 0) entropy -= p * std::log(p);
        }
    }
    paramFree /= double(edges);
    entropy /= double(edges);
}

// Mean relative top-two margin over the chosen edges of `cell`, and how many are below
// kUndecidedMargin. Edge index of node j's input i: sum_{m < j} (m + 2) + i.
void margins(const std::vector<float>& w, const std::vector<std::string>& ops,
             const std::vector<GenotypeEdge>& cell, double& mean, int& undecided)
{
    mean = 0;
    undecided = 0;
    const std::size_t nOps = ops.size();
    if (cell.empty() || nOps < 2) return;
    int counted = 0;
    for (std::size_t c = 0; c < cell.size(); ++c) {
        const int node = int(c / 2);
        const std::size_t edge = std::size_t(node * (node + 3) / 2 + cell[c].input);
        if ((edge + 1) * nOps > w.size()) continue;
        double first = 0, second = 0;
        for (std::size_t k = 0; k < nOps; ++k) {
            if (ops[k] == "none") continue;
            const double p = w[edge * nOps + k];
            if (p > first) {
                second = first;
                first = p;
            } else if (p > second) {
                second = p;
            }
        }
        const double margin = (first - second) * double(nOps);
        mean += margin;
        undecided += margin < kUndecidedMargin;
        ++counted;
    }
    if (counted) mean /= counted;
}

int skipCount(const std::vector<GenotypeEdge>& cell)
{
    return int(std::count_if(cell.begin(), cell.end(),
                             [](const GenotypeEdge& e) { return e.op == "skip_connect"; }));
}

} // namespace

CollapseSignals computeCollapseSignals(const std::vector<float>& normal,
                                       const std::vector<float>& reduce,
                                       const std::vector<std::string>& ops,
                                       const Genotype& genotype)
{
    CollapseSignals s;
    s.skipNormal = skipCount(genotype.normal);
    s.skipReduce = skipCount(genotype.reduce);
    edgeStats(normal, ops, s.paramFreeNormal, s.entropyNormal);
    edgeStats(reduce, ops, s.paramFreeReduce, s.entropyReduce);
    margins(normal, ops, genotype.normal, s.marginNormal, s.undecidedNormal);
    margins(reduce, ops, genotype.reduce, s.marginReduce, s.undecidedReduce);
    return s;
}

std::string undecidedReason(const CollapseSignals& s, int ops, int chosenNormalEdges)
{
    const double maxEntropy = std::log(double(std::max(2, ops)));
    char text[256];
    if (chosenNormalEdges > 0 && 2 * s.undecidedNormal > chosenNormalEdges) {
        std::snprintf(text, sizeof text,
                      "architecture undecided: %d of %d chosen normal-cell edges have their two "
                      "strongest ops within %.0f%% of a uniform weight (mean margin %.3f); the "
                      "derived cell follows noise: search longer or raise --alpha-lr",
                      s.undecidedNormal, chosenNormalEdges, 100 * kUndecidedMargin, s.marginNormal);
        return text;
    }
    if (s.entropyNormal > kUndecidedEntropyShare * maxEntropy) {
        std::snprintf(text, sizeof text,
                      "architecture undecided: mean op entropy %.3f of at most %.3f (ln %d) in the "
                      "normal cell; search longer or raise --alpha-lr",
                      s.entropyNormal, maxEntropy, ops);
        return text;
    }
    return {};
}

} // namespace wb::darts
