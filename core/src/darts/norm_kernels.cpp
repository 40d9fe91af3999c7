#include "darts/norm_kernels.h"

#include "common/target_clones.h"

#include <ATen/Parallel.h>

#include <algorithm>

namespace wb::darts::kernels {
namespace {

constexpr int kLanes = 16;

// sum (x - shift) and sum (x - shift)^2 over one row, in 16 lanes each.
WB_CLONES void rowMoments(const float* x, std::int64_t count, float shift, double& s1, double& s2)
{
    float a[kLanes] = {}, b[kLanes] = {};
    std::int64_t i = 0;
    for (; i + kLanes <= count; i += kLanes)
        for (int j = 0; j < kLanes; ++j) {
            const float d = x[i + j] - shift;
            a[j] += d;
            b[j] += d * d;
        }
    for (int j = 0; j < kLanes; ++j) {
        s1 += a[j];
        s2 += b[j];
    }
    for (; i < count; ++i) {
        const double d = double(x[i]) - shift;
        s1 += d;
        s2 += d * d;
    }
}

WB_CLONES void rowAffine(const float* __restrict x, std::int64_t count, float a, float b,
                         float* __restrict y)
{
    for (std::int64_t i = 0; i < count; ++i)
        y[i] = a * x[i] + b;
}

} // namespace

void channelMoments(const float* x, const NormShape& s, float* mean, float* var)
{
    const double count = double(s.n * s.pixels);
    at::parallel_for(0, s.c, 1, [&](std::int64_t c0, std::int64_t c1) {
        for (auto c = c0; c < c1; ++c) {
            const float shift = x[c * s.pixels];
            double s1 = 0, s2 = 0;
            for (std::int64_t n = 0; n < s.n; ++n)
                rowMoments(x + (n * s.c + c) * s.pixels, s.pixels, shift, s1, s2);
            const double m = s1 / count;
            mean[c] = float(shift + m);
            var[c] = float(std::max(0.0, s2 / count - m * m));
        }
    });
}

void channelAffine(const float* x, const NormShape& s, const float* a, const float* b, float* y)
{
    at::parallel_for(0, s.n * s.c, 1, [&](std::int64_t p0, std::int64_t p1) {
        for (auto p = p0; p < p1; ++p)
            rowAffine(x + p * s.pixels, s.pixels, a[p % s.c], b[p % s.c], y + p * s.pixels);
    });
}

} // namespace wb::darts::kernels
