#pragma once

// The DARTS pooling primitives (3 x 3 window, padding 1, stride 1 or 2) on float images stored
// channels-last (N, H, W, C; channels innermost), forward and backward. LibTorch 1.13's CPU
// pooling is slow on the narrow channel counts of a search network: max pooling 64 x 4 x 28 x 28
// images takes 4-5 ms there, about 20 ns an output.
// These loops run over the channels of each window position, which the compiler vectorises, and
// reproduce ATen's results: the same maximum (first in row-major window order on ties, NaN wins)
// and the same average (sum in window order over the in-image pixels, divided by their count).
// Compiled on their own (no torch header); images are split over at::parallel_for threads.

#include <cstdint>

namespace wb::darts::kernels {

struct PoolShape {
    std::int64_t n = 0, h = 0, w = 0, c = 0;
    int stride = 1;
    std::int64_t outH() const { return (h - 1) / stride + 1; }
    std::int64_t outW() const { return (w - 1) / stride + 1; }
};

// y: N x outH x outW x C; argmax: the winning window position (0..8, row-major) per output.
void maxPoolForward(const float* x, const PoolShape& s, float* y, std::uint8_t* argmax);
// gx (N x H x W x C) = the gradient gy routed to each window's maximum.
void maxPoolBackward(const float* gy, const std::uint8_t* argmax, const PoolShape& s, float* gx);
// Mean over each window's pixels inside the image (count_include_pad = false).
void avgPoolForward(const float* x, const PoolShape& s, float* y);
void avgPoolBackward(const float* gy, const PoolShape& s, float* gx);

} // namespace wb::darts::kernels
