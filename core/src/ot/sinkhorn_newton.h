#pragma once

// Newton's method on the semi-dual of entropic OT, the finishing stage of the Sinkhorn solver.
//
// With f = T(g) (f_i = -eps log sum_j b_j exp((g_j - C_ij) / eps), the row update of Sinkhorn)
// the plan P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps) has exact row sums a and the semi-dual
//   F(g) = <a, T(g)> + <b, g>
// is concave with gradient b - P^T 1 and Hessian -(1/eps) S, S = diag(P^T 1) - P^T diag(1/a) P
// (PSD; the constant vector is its null space). When the plan is close to a permutation (eps
// small against the cost gaps: OTDD at eps 0.1) Sinkhorn contracts by 1 - 1e-3 or less a sweep,
// while Newton converges in tens of steps (Brauer et al. 2017, "A Sinkhorn-Newton method for
// entropic optimal transport"; Cuturi & Peyre 2018 on the semi-dual). Each step: one pass over
// the candidate entries (per row those within exp(-60) of the row's largest when the list was
// made; remade by a pass over the whole cost when g has moved too far for the list to hold every
// entry above exp(-40)), in double (big plans far from permutations are read whole, in float:
// newton_plan.h): T(g), the column sums, and the row-normalised entries above 1e-6 (a sparse
// plan); conjugate gradients on the damped system (S + lambda diag(P^T 1)) d =
// gradient with that sparse plan (Levenberg-Marquardt), each coordinate of the step capped, and
// the step kept when the semi-dual gains (by the column error where the gain is below the
// value's rounding).

#include "ot/cost_tiles.h"
#include "ot/sinkhorn.h"

#include <vector>

namespace wb::ot {

struct NewtonOutcome {
    bool stopped = false; // the monitor asked to stop
    int passes = 0;       // passes over the cost (each about as costly as a Sinkhorn sweep)
    double error = 1.0;   // L1 column error of the plan of (T(g), g); its rows are exact
};

// Improves g in place at o.eps, and sets f = T(g), until the plan's marginal error is below
// `tolerance`, o.maxIterations passes are spent, or a step no longer lowers the error.
NewtonOutcome newtonSteps(CostTiles& cost, std::vector<double>& f, std::vector<double>& g,
                          const std::vector<double>& a, const std::vector<double>& b,
                          const SinkhornOptions& o, double tolerance,
                          const SinkhornMonitor& monitor);

} // namespace wb::ot
