#pragma once

// Principal component projection of pooled samples: x is centred by its mean and projected on
// the `dim` leading eigenvectors of its covariance (d x d eigen-decomposition for d <= 4096,
// otherwise a seeded randomized range finder with power iterations, Halko et al. 2011).
// Distances in the projection are the distances within that subspace.

#include <torch/torch.h>

#include <cstdint>

namespace wb::ot {

// x: N x d; returns N x dim (x's dtype). dim >= d returns x unchanged.
torch::Tensor pcaProject(const torch::Tensor& x, std::int64_t dim, std::uint64_t seed);

} // namespace wb::ot
