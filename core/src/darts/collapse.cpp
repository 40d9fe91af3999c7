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
                      "derived cell follows noise: search longer or raise --alpha-budget",
                      s.undecidedNormal, chosenNormalEdges, 100 * kUndecidedMargin, s.marginNormal);
        return text;
    }
    if (s.entropyNormal > kUndecidedEntropyShare * maxEntropy) {
        std::snprintf(text, sizeof text,
                      "architecture undecided: mean op entropy %.3f of at most %.3f (ln %d) in the "
                      "normal cell; search longer or raise --alpha-budget",
                      s.entropyNormal, maxEntropy, ops);
        return text;
    }
    return {};
}

double paramFreeWarnMass(const std::vector<std::string>& ops)
{
    if (ops.empty()) return kParamFreeExcess;
    const auto free = std::count_if(ops.begin(), ops.end(), isParameterFreeOp);
    const double uniform = double(free) / double(ops.size());
    return uniform + kParamFreeExcess * (1 - uniform);
}

std::string collapseStopReason(const std::vector<CollapseSignals>& history,
                               const std::vector<std::string>& ops)
{
    if (history.empty()) return {};
    const auto& now = history.back();
    if (now.skipNormal >= kSkipWarnCount)
        return std::to_string(now.skipNormal) +
               " skip_connect edges in the normal cell (>= " + std::to_string(kSkipWarnCount) + ")";
    if (const double limit = paramFreeWarnMass(ops); now.paramFreeNormal > limit)
        return "parameter-free ops hold " + std::to_string(int(100 * now.paramFreeNormal)) +
               "% of the normal cell's alpha mass (> " + std::to_string(int(100 * limit)) + "%)";
    std::vector<double> eigen;
    for (const auto& s : history)
        if (std::isfinite(s.hessianEigenvalue)) eigen.push_back(s.hessianEigenvalue);
    if (eigen.size() < std::size_t(kEigenWindow + kEigenLookback)) return {};
    const auto mean = [&](std::size_t end) { // the window ending at eigen[end - 1]
        double sum = 0;
        for (std::size_t i = end - kEigenWindow; i < end; ++i)
            sum += eigen[i];
        return sum / kEigenWindow;
    };
    const double current = mean(eigen.size());
    const double earlier = mean(eigen.size() - kEigenLookback);
    if (current <= 0 || earlier / current >= kEigenRatio) return {};
    char text[200];
    std::snprintf(text, sizeof text,
                  "the Hessian eigenvalue grew from %.4g to %.4g (mean of %d epochs, %d epochs "
                  "apart: ratio %.2f < %.2f, DARTS-ES)",
                  earlier, current, kEigenWindow, kEigenLookback, earlier / current, kEigenRatio);
    return text;
}

} // namespace wb::darts
