#include "wb/darts/collapse.h"

#include "wb/darts/primitives.h"

#include <algorithm>
#include <cmath>

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
    return s;
}

} // namespace wb::darts
