#pragma once

// Data augmentation of the from-scratch training.

#include <torch/torch.h>

namespace wb::darts {

// Cutout (DeVries & Taylor 2017, as in DARTS' retraining): zeroes one `length` x `length`
// square per image of an N x C x H x W batch, centred on a pixel drawn uniformly from the
// torch generator (so a seeded run repeats); squares are clipped at the borders.
torch::Tensor cutout(const torch::Tensor& images, int length);

} // namespace wb::darts
