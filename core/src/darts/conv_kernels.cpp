#include "darts/conv_kernels.h"

#include "common/target_clones.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <vector>

namespace wb::darts::kernels {
namespace {

// The outputs o in [0, count) whose tap o * stride + offset lies in [0, size).
struct Range {
    std::int64_t begin, end;
};

Range validOutputs(std::int64_t offset, std::int64_t size, std::int64_t count, int stride)
{
    // o * stride + offset >= 0  <=>  o >= ceil(-offset / stride)
    const auto begin = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    // o * stride + offset <= size - 1  <=>  o <= floor((size - 1 - offset) / stride)
    const auto last = size - 1 - offset;
    const auto end = last < 0 ? 0 : std::min(count, last / stride + 1);
    return {begin, std::max(begin, end)};
}

// One channel's gradient. Each tap keeps one partial sum per output column: the products of a
// row go to those lanes (an elementwise loop the compiler vectorises, where one running sum
// would need reassociation), summed in double at the end.
WB_CLONES void channelWeightGrad(const float* x, const float* gy, const DepthwiseShape& s,
                                 std::int64_t ch, float* gw)
{
    const int k = s.kernel;
    std::vector<float> lanes(std::size_t(k * k * s.outW), 0.0f);
    const auto plane = s.h * s.w, outPlane = s.outH * s.outW;
    for (std::int64_t n = 0; n < s.n; ++n) {
        const float* in = x + (n * s.c + ch) * plane;
        const float* g = gy + (n * s.c + ch) * outPlane;
        for (int ky = 0; ky < k; ++ky) {
            const int oy = ky * s.dilation - s.padding;
            const auto rows = validOutputs(oy, s.h, s.outH, s.stride);
            for (int kx = 0; kx < k; ++kx) {
                const int ox = kx * s.dilation - s.padding;
                const auto cols = validOutputs(ox, s.w, s.outW, s.stride);
                float* __restrict lane = lanes.data() + (ky * k + kx) * s.outW;
                for (auto y = rows.begin; y < rows.end; ++y) {
                    const float* __restrict gRow = g + y * s.outW;
                    const float* __restrict inRow = in + (y * s.stride + oy) * s.w + ox;
                    if (s.stride == 1)
                        for (auto c = cols.begin; c < cols.end; ++c)
                            lane[c] += gRow[c] * inRow[c];
                    else
                        for (auto c = cols.begin; c < cols.end; ++c)
                            lane[c] += gRow[c] * inRow[c * s.stride];
                }
            }
        }
    }
    for (int t = 0; t < k * k; ++t) {
        double sum = 0;
        for (std::int64_t c = 0; c < s.outW; ++c)
            sum += lanes[std::size_t(t * s.outW + c)];
        gw[ch * k * k + t] = float(sum);
    }
}

// One image plane: each tap adds its weight times the shifted input to the output rows it
// reaches (runs of a row the compiler vectorises at stride 1).
WB_CLONES void planeForward(const float* in, const float* w, const DepthwiseShape& s, float* out)
{
    std::fill(out, out + s.outH * s.outW, 0.0f);
    for (int ky = 0; ky < s.kernel; ++ky) {
        const int oy = ky * s.dilation - s.padding;
        const auto rows = validOutputs(oy, s.h, s.outH, s.stride);
        for (int kx = 0; kx < s.kernel; ++kx) {
            const int ox = kx * s.dilation - s.padding;
            const auto cols = validOutputs(ox, s.w, s.outW, s.stride);
            const float weight = w[ky * s.kernel + kx];
            for (auto y = rows.begin; y < rows.end; ++y) {
                float* __restrict outRow = out + y * s.outW;
                const float* __restrict inRow = in + (y * s.stride + oy) * s.w + ox;
                if (s.stride == 1)
                    for (auto c = cols.begin; c < cols.end; ++c)
                        outRow[c] += weight * inRow[c];
                else
                    for (auto c = cols.begin; c < cols.end; ++c)
                        outRow[c] += weight * inRow[c * s.stride];
            }
        }
    }
}

// a . b: sixteen partial sums (a loop the compiler vectorises without reassociating), added in
// double.
WB_CLONES double dot(const float* a, const float* b, std::int64_t count)
{
    float lanes[16] = {};
    std::int64_t k = 0;
    for (; k + 16 <= count; k += 16)
        for (int j = 0; j < 16; ++j)
            lanes[j] += a[k + j] * b[k + j];
    double sum = 0;
    for (const float lane : lanes)
        sum += lane;
    for (; k < count; ++k)
        sum += double(a[k]) * b[k];
    return sum;
}

// One image's output channels, each a sum of scaled input channels.
WB_CLONES void imagePointwise(const float* x, const float* w, std::int64_t in, std::int64_t out,
                              std::int64_t pixels, float* y)
{
    for (std::int64_t o = 0; o < out; ++o) {
        float* __restrict row = y + o * pixels;
        std::fill(row, row + pixels, 0.0f);
        for (std::int64_t i = 0; i < in; ++i) {
            const float weight = w[o * in + i];
            const float* __restrict channel = x + i * pixels;
            for (std::int64_t p = 0; p < pixels; ++p)
                row[p] += weight * channel[p];
        }
    }
}

} // namespace

void pointwiseForward(const float* x, const float* w, std::int64_t n, std::int64_t in,
                      std::int64_t out, std::int64_t pixels, float* y)
{
    at::parallel_for(0, n, 1, [&](std::int64_t n0, std::int64_t n1) {
        for (auto image = n0; image < n1; ++image)
            imagePointwise(x + image * in * pixels, w, in, out, pixels, y + image * out * pixels);
    });
}

void pointwiseWeightGrad(const float* x, const float* gy, std::int64_t n, std::int64_t in,
                         std::int64_t out, std::int64_t pixels, float* gw)
{
    at::parallel_for(0, out, 1, [&](std::int64_t o0, std::int64_t o1) {
        for (auto o = o0; o < o1; ++o)
            for (std::int64_t i = 0; i < in; ++i) {
                double sum = 0;
                for (std::int64_t image = 0; image < n; ++image)
                    sum +=
                        dot(gy + (image * out + o) * pixels, x + (image * in + i) * pixels, pixels);
                gw[o * in + i] = float(sum);
            }
    });
}

void depthwiseForward(const float* x, const float* w, const DepthwiseShape& s, float* y)
{
    const auto taps = std::int64_t(s.kernel) * s.kernel;
    at::parallel_for(0, s.n * s.c, 1, [&](std::int64_t p0, std::int64_t p1) {
        for (auto p = p0; p < p1; ++p)
            planeForward(x + p * s.h * s.w, w + (p % s.c) * taps, s, y + p * s.outH * s.outW);
    });
}

void depthwiseWeightGrad(const float* x, const float* gy, const DepthwiseShape& s, float* gw)
{
    at::parallel_for(0, s.c, 1, [&](std::int64_t c0, std::int64_t c1) {
        for (auto ch = c0; ch < c1; ++ch)
            channelWeightGrad(x, gy, s, ch, gw);
    });
}

} // namespace wb::darts::kernels
