#pragma once

// Depthwise and 1x1 convolutions and their weight gradients on NCHW float images. LibTorch
// 1.13's oneDNN computes them slowly at the few channels a partial-channel (PC-DARTS) edge sees
// (it works in blocks of 8 or 16 channels and reorders to them): the weight gradient of a 5 x 5
// depthwise kernel on 64 x 4 x 28 x 28 images takes 4.8 ms (0.9 ms for 3 x 3) and its forward
// 1 ms, for 5 M multiply-adds; a 4 -> 4 channel 1x1 convolution 0.8 ms for 0.8 M. Compiled on
// their own (no torch header); images or channels are split over threads.

#include <cstdint>

namespace wb::darts::kernels {

struct DepthwiseShape {
    std::int64_t n = 0, c = 0, h = 0, w = 0; // input images (N x C x H x W)
    std::int64_t outH = 0, outW = 0;
    int kernel = 3, stride = 1, padding = 0, dilation = 1;
};

// y[n][c][oy][ox] = sum over taps (ky, kx) of w[c][ky][kx] * x[n][c][iy][ix], where
// iy = oy * stride - padding + ky * dilation and ix likewise (taps outside the image read zero):
// the forward convolution, also the input gradient of a stride-1 one with the flipped kernel.
// x is contiguous, w has C x kernel x kernel floats, y N x C x outH x outW.
void depthwiseForward(const float* x, const float* w, const DepthwiseShape& s, float* y);

// gw[c][ky][kx] = sum over images n and outputs (oy, ox) of gy[n][c][oy][ox] * x[n][c][iy][ix],
// iy and ix as above. x and gy are contiguous, gw has C x kernel x kernel floats.
void depthwiseWeightGrad(const float* x, const float* gy, const DepthwiseShape& s, float* gw);

// The 1x1 convolution y[n][o][p] = sum over i of w[o][i] * x[n][i][p] (p: the pixels), x of
// N x in x P floats, w of out x in, y of N x out x P.
void pointwiseForward(const float* x, const float* w, std::int64_t n, std::int64_t in,
                      std::int64_t out, std::int64_t pixels, float* y);
// gw[o][i] = sum over n and p of gy[n][o][p] * x[n][i][p].
void pointwiseWeightGrad(const float* x, const float* gy, std::int64_t n, std::int64_t in,
                         std::int64_t out, std::int64_t pixels, float* gw);

} // namespace wb::darts::kernels
