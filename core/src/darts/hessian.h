#pragma once

// DARTS-ES' collapse indicator (Zela et al. 2020): the dominant eigenvalue of the Hessian of the
// validation loss w.r.t. the architecture parameters. It grows as a search drifts to the sharp
// minima that collapse to parameter-free cells. Computed by power iteration on exact
// Hessian-vector products (double backward through the network), not by forming the Hessian.

#include "darts/architect.h"
#include "darts/supernet.h"

#include <torch/torch.h>

#include <cstdint>

namespace wb::darts {

struct HessianEstimate {
    double eigenvalue = 0; // of largest magnitude
    int iterations = 0;    // Hessian-vector products used
};

// At most `maxIterations` products, stopping when the Rayleigh quotient changes by less than
// `tolerance` (relative). The start vector comes from its own generator seeded with `seed`, so
// the search's random stream is untouched. Weights, BN statistics, alphas and their gradients are
// unchanged. DrNAS is evaluated at the Dirichlet mean.
HessianEstimate dominantHessianEigenvalue(Supernet& net, const Batch& val, int maxIterations,
                                          std::uint64_t seed, double tolerance = 1e-3);

} // namespace wb::darts
