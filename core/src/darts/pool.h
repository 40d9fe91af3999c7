#pragma once

// The 3 x 3 pooling of the DARTS primitives (padding 1; averages over the in-image pixels).

#include <torch/torch.h>

namespace wb::darts {

// Max or average pooling at stride 1 or 2. Float CPU images, channels-last or contiguous, take
// the kernels of pool_kernels.h; anything else takes ATen's pooling. Both give
// the same values and gradients, and second derivatives (the Hessian of the collapse signal).
torch::Tensor pool3x3(const torch::Tensor& x, bool max, int stride);

} // namespace wb::darts
