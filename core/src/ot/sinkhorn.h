#pragma once

// Entropic optimal transport by log-domain Sinkhorn iterations with eps-annealing (Schmitzer
// 2019; Feydy et al. 2019, geomloss), over a cost that is only ever read a tile of rows at a time.
//
// For weights a (n), b (m) and cost C, the potentials solve
//   f_i = -eps * log sum_j b_j exp((g_j - C_ij) / eps),   g_j = -eps * log sum_i a_i exp((f_i -
//   C_ij) / eps)
// and the plan is P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps). eps starts at the cost bound
// (diameter) and is multiplied by `annealFactor` down to the target, one f/g update per level;
// then updates continue at the target eps until the L1 marginal error
//   sum_i |sum_j P_ij - a_i|   (of the pair (f, g) with g = T(f), whose column sums are exact)
// is below `tolerance`, or `maxIterations` is reached (reported as not converged). At the target
// eps the updates may be over-relaxed (x <- x + omega (T(x) - x), Thibault et al. 2017); the
// stopping test is then confirmed on an exact pair g = T(f) before the pair is reported.
// Between the annealing and those updates, Newton steps on the semi-dual (sinkhorn_newton.h)
// take near-permutation plans close to the tolerance in tens of passes where plain updates need
// thousands; the sweeps then finish and verify. The iteration count includes the Newton passes.
// The reported cost is the dual objective <a,f> + <b,g> of that pair; its plan has mass 1, so
// no mass correction is needed, and at convergence it equals <P,C> + eps * KL(P | a x b).
// The symmetric problem (a = b, same points) iterates f <- (f + T(f)) / 2 from f = T(0), at the
// target eps without annealing, which converges in a few steps, and reports <a,f> + <a,T(f)>.

#include "ot/cost_tiles.h"

#include "wb/ot/distance.h"

#include <torch/torch.h>

#include <functional>

namespace wb::ot {

struct SinkhornOptions {
    double eps = 0.1;
    double annealFactor = 0.5;
    double tolerance = 1e-3;
    int maxIterations = 2000;
    double overRelaxation = 1.0; // omega in [1, 2): 1 = plain Sinkhorn
    bool newton = true;          // Newton steps at the target eps (sinkhorn_newton.h; CPU only)
    // The softmin by torch operations on the tiles instead of the CPU kernels: how tiles on a
    // GPU are always read; on the CPU a check of that path.
    bool tensorOps = false;
};

// stop(): polled between tiles (cheap; true = abandon). progress(fraction): after every
// iteration; may block while paused; false = abandon.
struct SinkhornMonitor {
    std::function<bool()> stop;
    std::function<bool(double)> progress;
};

struct SinkhornOutcome {
    OtProblemStats stats;
    bool cancelled = false;
    torch::Tensor f, g; // double potentials of the reported pair (g = f when symmetric)
};

// Progress of a solve in [0, 1]: `level` of `levels` annealing steps done, then the error's
// way (in log) towards o.tolerance, or iteration / o.maxIterations if that is further.
double progressFraction(int level, int levels, double error, int iteration,
                        const SinkhornOptions& o);

// a, b: probability vectors (double). Throws nothing of its own.
SinkhornOutcome sinkhorn(CostTiles& cost, const torch::Tensor& a, const torch::Tensor& b,
                         const SinkhornOptions& options, const SinkhornMonitor& monitor);
SinkhornOutcome sinkhornSymmetric(CostTiles& cost, const torch::Tensor& a,
                                  const SinkhornOptions& options, const SinkhornMonitor& monitor);

// Mass of the plan of (f, g) between label classes: labelsY-classes x labelsX-classes
// (target x source), double.
torch::Tensor classCoupling(CostTiles& cost, const SinkhornOutcome& solved, const torch::Tensor& a,
                            const torch::Tensor& b, double eps, const torch::Tensor& labelsX,
                            std::int64_t classesX, const torch::Tensor& labelsY,
                            std::int64_t classesY);

} // namespace wb::ot
