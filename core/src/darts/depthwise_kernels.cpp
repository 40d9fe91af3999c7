#include "darts/depthwise_kernels.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <vector>

// The AVX2 + FMA clone runs where the CPU has them (resolved once by the loader), the baseline
// clone elsewhere.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define WB_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define WB_CLONES
#endif

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

} // namespace

void depthwiseWeightGrad(const float* x, const float* gy, const DepthwiseShape& s, float* gw)
{
    at::parallel_for(0, s.c, 1, [&](std::int64_t c0, std::int64_t c1) {
        for (auto ch = c0; ch < c1; ++ch)
            channelWeightGrad(x, gy, s, ch, gw);
    });
}

} // namespace wb::darts::kernels
