#include "ot/lse_kernels.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

// The AVX2 + FMA clone runs where the CPU has them (resolved once by the loader), the baseline
// clone elsewhere.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define WB_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define WB_CLONES
#endif

namespace wb::ot::kernels {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
constexpr std::int64_t kColBlock = 2048; // columns per task of the column kernel (8 KB a row)
constexpr std::int64_t kChunkRows = 64;  // rows per chunk of the column kernel (L2-resident)

// Eight floats in one value (GCC/Clang vector extension): AVX in the avx2 clone, two SSE
// registers in the baseline one. Plain loops over arrays did not vectorise the max reduction.
typedef float V8 __attribute__((vector_size(32)));
typedef std::int32_t I8 __attribute__((vector_size(32)));

[[gnu::always_inline]] inline V8 load(const float* p)
{
    V8 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

[[gnu::always_inline]] inline void store(float* p, V8 v)
{
    std::memcpy(p, &v, sizeof v);
}

[[gnu::always_inline]] inline V8 splat(float x)
{
    return V8{x, x, x, x, x, x, x, x};
}

[[gnu::always_inline]] inline V8 vmax(V8 a, V8 b)
{
    return a > b ? a : b;
}

[[gnu::always_inline]] inline float hmax(V8 v)
{
    float m = v[0];
    for (int k = 1; k < 8; ++k)
        m = std::max(m, v[k]);
    return m;
}

// exp(x) in float, relative error about 2e-7: x = n ln2 + r, |r| <= ln2 / 2, degree-6 Taylor
// polynomial of exp(r), times 2^n built in the exponent bits. Branch-free; inputs are clamped
// to [-87, 88], so anything below gives about 1e-38 (0 next to the block's maximum, 1).
[[gnu::always_inline]] inline V8 expApprox(V8 x)
{
    x = vmax(x, splat(-87.0f));
    x = x < splat(88.0f) ? x : splat(88.0f);
    const V8 t = x * 1.44269504088896341f;
    // Round to nearest with the 1.5 * 2^23 trick (default rounding mode; no SSE4.1 needed).
    const V8 n = (t + 12582912.0f) - 12582912.0f;
    const V8 r = (x - n * 0.693145751953125f) - n * 1.428606765330187e-06f;
    V8 p = splat(1.0f / 720.0f);
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const I8 bits = (__builtin_convertvector(n, I8) + 127) << 23;
    V8 scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

[[gnu::always_inline]] inline float expApprox(float x)
{
    return expApprox(splat(x))[0];
}

WB_CLONES void rowKernel(const float* c, std::int64_t begin, std::int64_t end, std::int64_t cols,
                         const float* h, float s, double* out)
{
    const V8 vs = splat(s);
    for (std::int64_t i = begin; i < end; ++i) {
        const float* row = c + i * cols;
        V8 vm = splat(kNegInf);
        std::int64_t j = 0;
        for (; j + 8 <= cols; j += 8)
            vm = vmax(vm, load(h + j) - vs * load(row + j));
        float mx = hmax(vm);
        for (; j < cols; ++j)
            mx = std::max(mx, h[j] - s * row[j]);
        const V8 vmx = splat(mx);
        V8 acc = splat(0.0f);
        for (j = 0; j + 8 <= cols; j += 8)
            acc += expApprox(load(h + j) - vs * load(row + j) - vmx);
        double total = 0.0;
        for (int k = 0; k < 8; ++k)
            total += acc[k];
        for (; j < cols; ++j)
            total += expApprox(h[j] - s * row[j] - mx);
        out[i] = double(mx) + std::log(total);
    }
}

WB_CLONES void colKernel(const float* c, std::int64_t rows, std::int64_t cols, std::int64_t j0,
                         std::int64_t j1, const float* h, float s, float* m, float* sum)
{
    // Widths are multiples of 8 except the last block of a row; its tail runs scalar.
    const V8 vs = splat(s);
    const std::int64_t w = j1 - j0;
    const std::int64_t wv = w - w % 8;
    float chunkMax[kColBlock];
    for (std::int64_t r0 = 0; r0 < rows; r0 += kChunkRows) {
        const std::int64_t r1 = std::min(rows, r0 + kChunkRows);
        for (std::int64_t k = 0; k < w; ++k)
            chunkMax[k] = kNegInf;
        for (std::int64_t i = r0; i < r1; ++i) {
            const float* row = c + i * cols + j0;
            const V8 hi = splat(h[i]);
            std::int64_t k = 0;
            for (; k < wv; k += 8)
                store(chunkMax + k, vmax(load(chunkMax + k), hi - vs * load(row + k)));
            for (; k < w; ++k)
                chunkMax[k] = std::max(chunkMax[k], h[i] - s * row[k]);
        }
        // Rescale what was summed under the old maxima.
        for (std::int64_t k = 0; k < w; ++k) {
            const float updated = std::max(m[j0 + k], chunkMax[k]);
            sum[j0 + k] *= expApprox(m[j0 + k] - updated);
            m[j0 + k] = updated;
        }
        for (std::int64_t i = r0; i < r1; ++i) {
            const float* row = c + i * cols + j0;
            const V8 hi = splat(h[i]);
            std::int64_t k = 0;
            for (; k < wv; k += 8)
                store(sum + j0 + k,
                      load(sum + j0 + k) + expApprox(hi - vs * load(row + k) - load(m + j0 + k)));
            for (; k < w; ++k)
                sum[j0 + k] += expApprox(h[i] - s * row[k] - m[j0 + k]);
        }
    }
}

WB_CLONES void planKernel(const float* c, std::int64_t rows, std::int64_t cols, const float* h,
                          float s, const double* weight, float keep, double* lse, float* colSum,
                          std::vector<std::int32_t>& index, std::vector<float>& value,
                          std::int64_t* rowEnd)
{
    const V8 vs = splat(s);
    std::vector<float> e(static_cast<std::size_t>(cols));
    for (std::int64_t i = 0; i < rows; ++i) {
        const float* row = c + i * cols;
        V8 vm = splat(kNegInf);
        std::int64_t j = 0;
        for (; j + 8 <= cols; j += 8) {
            const V8 x = load(h + j) - vs * load(row + j);
            store(e.data() + j, x);
            vm = vmax(vm, x);
        }
        float mx = hmax(vm);
        for (; j < cols; ++j) {
            e[std::size_t(j)] = h[j] - s * row[j];
            mx = std::max(mx, e[std::size_t(j)]);
        }
        V8 acc = splat(0.0f);
        const V8 vmx = splat(mx);
        for (j = 0; j + 8 <= cols; j += 8) {
            const V8 p = expApprox(load(e.data() + j) - vmx);
            store(e.data() + j, p);
            acc += p;
        }
        double total = 0.0;
        for (int k = 0; k < 8; ++k)
            total += acc[k];
        for (; j < cols; ++j) {
            e[std::size_t(j)] = expApprox(e[std::size_t(j)] - mx);
            total += e[std::size_t(j)];
        }
        lse[i] = double(mx) + std::log(total);
        const float inv = float(1.0 / total);
        const V8 scale = splat(inv), w = splat(float(weight[i])), floor = splat(keep);
        const auto keepEntry = [&](std::int64_t k, float p) {
            if (p > keep) {
                index.push_back(std::int32_t(k));
                value.push_back(p);
            }
        };
        for (j = 0; j + 8 <= cols; j += 8) {
            const V8 p = load(e.data() + j) * scale;
            store(colSum + j, load(colSum + j) + w * p);
            // A near-permutation row keeps a few entries: most blocks of 8 have none.
            const I8 above = p > floor;
            I8 any = above;
            for (int k = 1; k < 8; ++k)
                any[0] |= above[k];
            if (any[0])
                for (int k = 0; k < 8; ++k)
                    keepEntry(j + k, p[k]);
        }
        for (; j < cols; ++j) {
            const float p = e[std::size_t(j)] * inv;
            colSum[j] += float(weight[i]) * p;
            keepEntry(j, p);
        }
        rowEnd[i] = std::int64_t(index.size());
    }
}

} // namespace

void planRows(const float* c, std::int64_t rows, std::int64_t cols, const float* h, float s,
              const double* weight, float keep, double* lse, float* colSum,
              std::vector<std::int32_t>& index, std::vector<float>& value, std::int64_t* rowEnd)
{
    planKernel(c, rows, cols, h, s, weight, keep, lse, colSum, index, value, rowEnd);
}

void rowLogSumExp(const float* c, std::int64_t rows, std::int64_t cols, const float* h, float s,
                  double* out)
{
    const std::int64_t grain = std::max<std::int64_t>(1, 65536 / std::max<std::int64_t>(1, cols));
    at::parallel_for(0, rows, grain, [&](std::int64_t begin, std::int64_t end) {
        rowKernel(c, begin, end, cols, h, s, out);
    });
}

void colLogSumExpAccumulate(const float* c, std::int64_t rows, std::int64_t cols, const float* h,
                            float s, float* m, float* sum)
{
    const std::int64_t blocks = (cols + kColBlock - 1) / kColBlock;
    at::parallel_for(0, blocks, 1, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t b = begin; b < end; ++b)
            colKernel(c, rows, cols, b * kColBlock, std::min(cols, (b + 1) * kColBlock), h, s, m,
                      sum);
    });
}

// Double precision (tests and --float64): plain loops with std::exp; exactness over speed.
void rowLogSumExp(const double* c, std::int64_t rows, std::int64_t cols, const double* h, double s,
                  double* out)
{
    for (std::int64_t i = 0; i < rows; ++i) {
        const double* row = c + i * cols;
        double mx = -std::numeric_limits<double>::infinity();
        for (std::int64_t j = 0; j < cols; ++j)
            mx = std::max(mx, h[j] - s * row[j]);
        double total = 0.0;
        for (std::int64_t j = 0; j < cols; ++j)
            total += std::exp(h[j] - s * row[j] - mx);
        out[i] = mx + std::log(total);
    }
}

void colLogSumExpAccumulate(const double* c, std::int64_t rows, std::int64_t cols, const double* h,
                            double s, double* m, double* sum)
{
    std::vector<double> chunkMax(std::size_t(cols), -std::numeric_limits<double>::infinity());
    for (std::int64_t i = 0; i < rows; ++i)
        for (std::int64_t j = 0; j < cols; ++j)
            chunkMax[std::size_t(j)] =
                std::max(chunkMax[std::size_t(j)], h[i] - s * c[i * cols + j]);
    for (std::int64_t j = 0; j < cols; ++j) {
        const double updated = std::max(m[j], chunkMax[std::size_t(j)]);
        if (std::isfinite(m[j])) sum[j] *= std::exp(m[j] - updated);
        m[j] = updated;
    }
    for (std::int64_t i = 0; i < rows; ++i)
        for (std::int64_t j = 0; j < cols; ++j)
            sum[j] += std::exp(h[i] - s * c[i * cols + j] - m[j]);
}

} // namespace wb::ot::kernels
