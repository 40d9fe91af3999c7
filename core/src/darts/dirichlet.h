#pragma once

// DrNAS' architecture distribution (Chen et al. 2021): the op weights of each edge are a sample
// of Dirichlet(c), with concentrations c = elu(alpha) + 1 > 0 learnt by pathwise gradients, and a
// KL term towards the uniform Dirichlet(1) regularises them.

#include <torch/torch.h>

namespace wb::darts {

// elu(alpha) + 1: positive, and 1 (the uniform prior) at alpha = 0.
torch::Tensor dirichletConcentration(const torch::Tensor& alpha);

// One sample per row of `concentration` (rows sum to 1) whose gradient w.r.t. the concentration
// is the implicit reparameterisation gradient (Figurnov et al. 2018), so the sample can sit inside
// a loss that alpha is trained on.
torch::Tensor sampleDirichlet(const torch::Tensor& concentration);

// The mean of Dirichlet(c) per row, c / sum(c): the expected architecture.
torch::Tensor dirichletMean(const torch::Tensor& concentration);

// KL(Dir(p) || Dir(q)) for each row, in closed form:
//   lgamma(sum p) - sum lgamma(p) - lgamma(sum q) + sum lgamma(q)
//   + sum (p - q) (digamma(p) - digamma(sum p)).
torch::Tensor dirichletKl(const torch::Tensor& p, const torch::Tensor& q);

} // namespace wb::darts
