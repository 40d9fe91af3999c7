#pragma once

// The weight gradient of a depthwise convolution on NCHW float images. LibTorch 1.13's oneDNN
// computes it slowly at the few channels a partial-channel (PC-DARTS) edge sees: 4.8 ms for a
// 5 x 5 kernel on 64 x 4 x 28 x 28 images, against 0.9 ms for 3 x 3, when the work is 5 M
// multiply-adds. Compiled on its own (no torch header); channels are split over threads.

#include <cstdint>

namespace wb::darts::kernels {

struct DepthwiseShape {
    std::int64_t n = 0, c = 0, h = 0, w = 0; // input images (N x C x H x W)
    std::int64_t outH = 0, outW = 0;
    int kernel = 3, stride = 1, padding = 0, dilation = 1;
};

// gw[c][ky][kx] = sum over images n and outputs (y, x) of
//   gy[n][c][y][x] * x[n][c][y * stride - padding + ky * dilation][x * stride - padding + kx *
//   dilation]
// (taps outside the image read zero). x and gy are contiguous, gw has C x kernel x kernel floats.
void depthwiseWeightGrad(const float* x, const float* gy, const DepthwiseShape& s, float* gw);

} // namespace wb::darts::kernels
