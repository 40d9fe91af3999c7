#pragma once

#include "wb/darts/observer.h"

#include <string>
#include <vector>

namespace wb::darts {

// Collapse signals from softmax weights (row-major edges x ops) and the derived genotype:
// skip_connect count per cell, mean parameter-free mass per edge, mean entropy per edge (nats).
CollapseSignals computeCollapseSignals(const std::vector<float>& normal,
                                       const std::vector<float>& reduce,
                                       const std::vector<std::string>& ops,
                                       const Genotype& genotype);

// Thresholds above which a search reports a collapse warning: more than this many skip_connect
// edges in the normal cell (DARTS-ES and P-DARTS flag >= 3 of 8 as degenerate) ...
constexpr int kSkipWarnCount = 3;
// ... or more than this share of the normal cell's alpha mass on parameter-free ops.
constexpr double kParamFreeWarnMass = 0.6;

} // namespace wb::darts
