#pragma once

#include "wb/darts/observer.h"

#include <string>
#include <vector>

namespace wb::darts {

// Collapse signals from softmax weights (row-major edges x ops) and the derived genotype:
// skip_connect count per cell, mean parameter-free mass per edge, mean entropy per edge (nats),
// and the top-two margins of the chosen edges.
CollapseSignals computeCollapseSignals(const std::vector<float>& normal,
                                       const std::vector<float>& reduce,
                                       const std::vector<std::string>& ops,
                                       const Genotype& genotype);

// Thresholds above which a search reports a collapse warning: more than this many skip_connect
// edges in the normal cell (DARTS-ES and P-DARTS flag >= 3 of 8 as degenerate) ...
constexpr int kSkipWarnCount = 3;
// ... or more of the normal cell's alpha mass on parameter-free ops than paramFreeWarnMass(ops):
// 60% with the standard 8 ops (3 parameter-free, so 37.5% under uniform weights), in general this
// share of the way from the uniform mass to all of it. A reduced op set such as skip, max pool and
// a convolution holds 67% under uniform weights: a fixed 60% would flag it before it moved.
constexpr double kParamFreeExcess = 0.36;
double paramFreeWarnMass(const std::vector<std::string>& ops);

// A chosen edge whose two strongest ops are closer than this share of the uniform weight 1/#ops
// was picked by noise: after a few hundred Adam steps at lr 3e-4 the weights still sit within
// about 2% of uniform (margin ~0.03), while a decided edge is well above 1.
constexpr double kUndecidedMargin = 0.1;
// The mean entropy per edge above this share of its maximum ln(#ops) also means undecided.
constexpr double kUndecidedEntropyShare = 0.99;

// `--stop-on collapse`: DARTS-ES' rule (Zela et al. 2020) stops a search when the dominant
// Hessian eigenvalue, averaged over kEigenWindow epochs, grew over kEigenLookback epochs so that
// the earlier mean / the current mean < kEigenRatio. The paper uses a window and a lookback of 5
// with its 50 epochs; our searches run tens of epochs, so both are shorter.
constexpr int kEigenWindow = 2;
constexpr int kEigenLookback = 3;
constexpr double kEigenRatio = 0.75;
// The issue code of a search stopped by the rule; its message is the reason.
inline constexpr const char* kCollapseStopCode = "collapse.stopped";

// Why a search whose signals per epoch are `history` (oldest first, the current epoch last)
// should stop now: the eigenvalue rule (epochs without an eigenvalue are skipped), or the
// normal cell past kSkipWarnCount skip connections or paramFreeWarnMass(ops) parameter-free mass.
// Empty when none fires.
std::string collapseStopReason(const std::vector<CollapseSignals>& history,
                               const std::vector<std::string>& ops);

// Why the architecture of `s` is undecided (most chosen normal-cell edges below the margin, or
// the normal cell's entropy near its maximum), or empty when it is decided.
std::string undecidedReason(const CollapseSignals& s, int ops, int chosenNormalEdges);

} // namespace wb::darts
