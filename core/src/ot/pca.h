#pragma once

// Principal component projection of pooled samples: x is centred by its mean and projected on
// the `dim` leading eigenvectors of its covariance (d x d eigen-decomposition for d <= 4096,
// otherwise a seeded randomized range finder with power iterations, Halko et al. 2011).
// Distances in the projection are the distances within that subspace.

#include <torch/torch.h>

#include <cstdint>
#include <utility>

namespace wb::ot {

// The mean (d, double) and the `dim` leading principal directions (d x dim, double) of x (N x d).
std::pair<torch::Tensor, torch::Tensor> pcaFit(const torch::Tensor& x, std::int64_t dim,
                                               std::uint64_t seed);

// x: N x d; returns N x dim (x's dtype). dim >= d returns x unchanged.
torch::Tensor pcaProject(const torch::Tensor& x, std::int64_t dim, std::uint64_t seed);

} // namespace wb::ot
