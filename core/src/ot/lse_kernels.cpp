#include "ot/lse_kernels.h"

#include "common/target_clones.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace wb::ot::kernels {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
constexpr std::int64_t kColBlock = 2048; // columns per task of the column kernel (8 KB a row)
constexpr std::int64_t kChunkRows = 64;  // rows per chunk of the column kernel (L2-resident)
// Terms below exp(-kFar) of a sum whose largest term is 1 are skipped: even a million of them
// (4e-12) stay far below float rounding of the sum (6e-8). Near-permutation plans (small eps)
// have few terms above it in a row, so most blocks of 8 skip the exponential.
constexpr float kFar = 40.0f;

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

// The first n (<= 8) lanes from p, the others `fill`; and their store.
[[gnu::always_inline]] inline V8 loadPart(const float* p, std::int64_t n, float fill)
{
    if (n == 8) return load(p);
    V8 v = V8{} + fill;
    std::memcpy(&v, p, std::size_t(n) * sizeof(float));
    return v;
}

[[gnu::always_inline]] inline void storePart(float* p, V8 v, std::int64_t n)
{
    std::memcpy(p, &v, std::size_t(n) * sizeof(float));
}

[[gnu::always_inline]] inline V8 splat(float x)
{
    return V8{} + x; // one broadcast (a lane-by-lane initialiser compiles to eight inserts)
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

// Whether any lane of x exceeds the limit (an OR-reduction by halves).
[[gnu::always_inline]] inline bool anyAbove(V8 x, V8 limit)
{
    I8 m = x > limit;
    m |= __builtin_shuffle(m, I8{4, 5, 6, 7, 0, 1, 2, 3});
    m |= __builtin_shuffle(m, I8{2, 3, 0, 1, 6, 7, 4, 5});
    m |= __builtin_shuffle(m, I8{1, 0, 3, 2, 5, 4, 7, 6});
    return m[0] != 0;
}

WB_CLONES void rowKernel(const float* c, std::int64_t begin, std::int64_t end, std::int64_t cols,
                         const float* h, float s, double* out)
{
    const V8 vs = splat(s), far = splat(-kFar);
    const std::int64_t tail = cols % 8, body = cols - tail;
    // The last partial block of every row reads h padded with -inf: those lanes add nothing.
    const V8 hTail = loadPart(h + body, tail, kNegInf);
    for (std::int64_t i = begin; i < end; ++i) {
        const float* row = c + i * cols;
        const V8 xTail = hTail - vs * loadPart(row + body, tail, 0.0f);
        V8 vm = xTail;
        for (std::int64_t j = 0; j < body; j += 8)
            vm = vmax(vm, load(h + j) - vs * load(row + j));
        const V8 vmx = splat(hmax(vm));
        V8 acc = splat(0.0f);
        for (std::int64_t j = 0; j < body; j += 8) {
            const V8 x = load(h + j) - vs * load(row + j) - vmx;
            if (anyAbove(x, far)) acc += expApprox(x);
        }
        if (tail) acc += expApprox(xTail - vmx);
        double total = 0.0;
        for (int k = 0; k < 8; ++k)
            total += acc[k];
        out[i] = double(vmx[0]) + std::log(total);
    }
}

WB_CLONES void colKernel(const float* c, std::int64_t rows, std::int64_t cols, std::int64_t j0,
                         std::int64_t j1, const float* h, float s, float* m, float* sum)
{
    // Widths are multiples of 8 except the last block of a row: its partial block of 8 is
    // loaded and stored lane by lane.
    const V8 vs = splat(s), far = splat(-kFar);
    const std::int64_t w = j1 - j0;
    float chunkMax[kColBlock];
    for (std::int64_t r0 = 0; r0 < rows; r0 += kChunkRows) {
        const std::int64_t r1 = std::min(rows, r0 + kChunkRows);
        for (std::int64_t k = 0; k < w; ++k)
            chunkMax[k] = kNegInf;
        for (std::int64_t i = r0; i < r1; ++i) {
            const float* row = c + i * cols + j0;
            const V8 hi = splat(h[i]);
            for (std::int64_t k = 0; k < w; k += 8) {
                const auto n = std::min<std::int64_t>(8, w - k);
                storePart(
                    chunkMax + k,
                    vmax(loadPart(chunkMax + k, n, kNegInf), hi - vs * loadPart(row + k, n, 0.0f)),
                    n);
            }
        }
        // Rescale what was summed under the old maxima.
        for (std::int64_t k = 0; k < w; k += 8) {
            const auto n = std::min<std::int64_t>(8, w - k);
            const V8 old = loadPart(m + j0 + k, n, 0.0f);
            const V8 updated = vmax(old, loadPart(chunkMax + k, n, 0.0f));
            storePart(sum + j0 + k, loadPart(sum + j0 + k, n, 0.0f) * expApprox(old - updated), n);
            storePart(m + j0 + k, updated, n);
        }
        for (std::int64_t i = r0; i < r1; ++i) {
            const float* row = c + i * cols + j0;
            const V8 hi = splat(h[i]);
            for (std::int64_t k = 0; k < w; k += 8) {
                const auto n = std::min<std::int64_t>(8, w - k);
                const V8 x = hi - vs * loadPart(row + k, n, 0.0f) - loadPart(m + j0 + k, n, 0.0f);
                if (anyAbove(x, far))
                    storePart(sum + j0 + k, loadPart(sum + j0 + k, n, 0.0f) + expApprox(x), n);
            }
        }
    }
}

WB_CLONES void planKernel(const float* c, std::int64_t rows, std::int64_t cols, const float* h,
                          float s, const double* weight, float keep, double* lse, float* colSum,
                          std::vector<std::int32_t>& index, std::vector<float>& value,
                          std::int64_t* rowEnd)
{
    const V8 vs = splat(s), far = splat(-kFar), floor = splat(keep);
    const std::int64_t tail = cols % 8, body = cols - tail;
    const V8 hTail = loadPart(h + body, tail, kNegInf);
    // x_ij of one row, padded to whole blocks of 8 (-inf beyond the last column).
    std::vector<float> e(static_cast<std::size_t>(body + 8));
    std::vector<std::int32_t> live; // first columns of the blocks of 8 with significant terms
    live.reserve(std::size_t(body / 8 + 1));
    for (std::int64_t i = 0; i < rows; ++i) {
        const float* row = c + i * cols;
        V8 vm = hTail - vs * loadPart(row + body, tail, 0.0f);
        store(e.data() + body, vm);
        for (std::int64_t j = 0; j < body; j += 8) {
            const V8 x = load(h + j) - vs * load(row + j);
            store(e.data() + j, x);
            vm = vmax(vm, x);
        }
        const V8 vmx = splat(hmax(vm));
        // Blocks with a term above exp(-kFar) are listed; the others add nothing to the sums and
        // keep no entry.
        V8 acc = splat(0.0f);
        live.clear();
        for (std::int64_t j = 0; j < body + (tail ? 8 : 0); j += 8) {
            const V8 x = load(e.data() + j) - vmx;
            if (!anyAbove(x, far)) continue;
            const V8 p = expApprox(x);
            store(e.data() + j, p);
            acc += p;
            live.push_back(std::int32_t(j));
        }
        double total = 0.0;
        for (int k = 0; k < 8; ++k)
            total += acc[k];
        lse[i] = double(vmx[0]) + std::log(total);
        const V8 scale = splat(float(1.0 / total)), w = splat(float(weight[i]));
        for (const auto j : live) {
            const auto n = std::min<std::int64_t>(8, cols - j);
            const V8 p = load(e.data() + j) * scale;
            storePart(colSum + j, loadPart(colSum + j, n, 0.0f) + w * p, n);
            // Even a live block rarely holds an entry worth keeping.
            if (anyAbove(p, floor))
                for (int k = 0; k < n; ++k)
                    if (p[k] > keep) {
                        index.push_back(std::int32_t(j + k));
                        value.push_back(p[k]);
                    }
        }
        rowEnd[i] = std::int64_t(index.size());
    }
}

WB_CLONES void candidateKernel(const float* c, std::int64_t rows, std::int64_t cols, const float* h,
                               float s, float window, std::vector<std::int32_t>& index,
                               std::vector<float>& cost, std::int64_t* rowEnd)
{
    const V8 vs = splat(s);
    const std::int64_t tail = cols % 8, body = cols - tail;
    const V8 hTail = loadPart(h + body, tail, kNegInf);
    for (std::int64_t i = 0; i < rows; ++i) {
        const float* row = c + i * cols;
        const V8 xTail = hTail - vs * loadPart(row + body, tail, 0.0f);
        V8 vm = xTail;
        for (std::int64_t j = 0; j < body; j += 8)
            vm = vmax(vm, load(h + j) - vs * load(row + j));
        const V8 floor = splat(hmax(vm) - window);
        // Most blocks of 8 of a near-permutation row hold no candidate.
        for (std::int64_t j = 0; j < body; j += 8) {
            const V8 x = load(h + j) - vs * load(row + j);
            if (anyAbove(x, floor))
                for (int k = 0; k < 8; ++k)
                    if (x[k] > floor[0]) {
                        index.push_back(std::int32_t(j + k));
                        cost.push_back(row[j + k]);
                    }
        }
        for (std::int64_t k = 0; k < tail; ++k)
            if (xTail[k] > floor[0]) {
                index.push_back(std::int32_t(body + k));
                cost.push_back(row[body + k]);
            }
        rowEnd[i] = std::int64_t(index.size());
    }
}

WB_CLONES void expKernel(float* x, std::int64_t n)
{
    std::int64_t k = 0;
    for (; k + 8 <= n; k += 8)
        store(x + k, expApprox(load(x + k)));
    if (k < n) storePart(x + k, expApprox(loadPart(x + k, n - k, 0.0f)), n - k);
}

} // namespace

void expInPlace(float* x, std::int64_t n)
{
    expKernel(x, n);
}

void planRows(const float* c, std::int64_t rows, std::int64_t cols, const float* h, float s,
              const double* weight, float keep, double* lse, float* colSum,
              std::vector<std::int32_t>& index, std::vector<float>& value, std::int64_t* rowEnd)
{
    planKernel(c, rows, cols, h, s, weight, keep, lse, colSum, index, value, rowEnd);
}

void rowCandidates(const float* c, std::int64_t rows, std::int64_t cols, const float* h, float s,
                   float window, std::vector<std::int32_t>& index, std::vector<float>& cost,
                   std::int64_t* rowEnd)
{
    candidateKernel(c, rows, cols, h, s, window, index, cost, rowEnd);
}

void rowCandidates(const double* c, std::int64_t rows, std::int64_t cols, const double* h, double s,
                   double window, std::vector<std::int32_t>& index, std::vector<double>& cost,
                   std::int64_t* rowEnd)
{
    for (std::int64_t i = 0; i < rows; ++i) {
        const double* row = c + i * cols;
        double mx = -std::numeric_limits<double>::infinity();
        for (std::int64_t j = 0; j < cols; ++j)
            mx = std::max(mx, h[j] - s * row[j]);
        for (std::int64_t j = 0; j < cols; ++j)
            if (h[j] - s * row[j] > mx - window) {
                index.push_back(std::int32_t(j));
                cost.push_back(row[j]);
            }
        rowEnd[i] = std::int64_t(index.size());
    }
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
