#include "darts/pool_kernels.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <limits>
#include <vector>

// An image row of W pixels x C channels is one run of W * C floats in which a pixel's horizontal
// neighbours lie C away. The forward passes work on whole runs (loops the compiler vectorises
// whatever C is, NCHW planes being runs with C = 1) at stride 1; a stride-2 output row is every
// other pixel of the stride-1 row of its centre input row.

namespace wb::darts::kernels {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// The larger of two values, NaN winning (as in ATen's pooling).
// (Bitwise | and &: branch-free, so the loops over runs vectorise.)
inline float nanMax(float a, float b)
{
    return ((b > a) | (b != b)) ? b : a;
}

// The in-image input rows [begin, end) of the window of output row i, as window rows 0..2.
struct Rows {
    std::int64_t first; // input row of window row 0 (may be -1)
    int begin, end;
};

Rows windowRows(const PoolShape& s, std::int64_t i)
{
    const auto first = i * s.stride - 1;
    return {first, int(std::max<std::int64_t>(0, -first)),
            int(std::min<std::int64_t>(3, s.h - first))};
}

// Pixels (of W) in the window of output pixel j.
int windowCols(const PoolShape& s, std::int64_t j)
{
    const auto first = j * s.stride - 1;
    return int(std::min<std::int64_t>(3, s.w - first) - std::max<std::int64_t>(0, -first));
}

// Runs an image's output rows with scratch runs of W * C floats, images split over threads.
template <class F> void forEachImage(const PoolShape& s, int scratch, F&& f)
{
    at::parallel_for(0, s.n, 1, [&](std::int64_t n0, std::int64_t n1) {
        std::vector<std::vector<float>> runs(std::size_t(scratch),
                                             std::vector<float>(std::size_t(s.w * s.c)));
        for (auto n = n0; n < n1; ++n)
            f(n, runs);
    });
}

} // namespace

void maxPoolForward(const float* x, const PoolShape& s, float* y, std::uint8_t* argmax)
{
    const auto run = s.w * s.c, c = s.c, ow = s.outW();
    forEachImage(s, 3, [&](std::int64_t n, std::vector<std::vector<float>>& runs) {
        float* column = runs[0].data();          // max over the window rows, per input pixel
        float* __restrict full = runs[1].data(); // the stride-1 output row
        const float* image = x + n * s.h * run;
        for (std::int64_t i = 0; i < s.outH(); ++i) {
            const auto rows = windowRows(s, i);
            std::fill(column, column + run, kNegInf);
            for (int r = rows.begin; r < rows.end; ++r) {
                const float* in = image + (rows.first + r) * run;
                for (std::int64_t q = 0; q < run; ++q)
                    column[q] = nanMax(column[q], in[q]);
            }
            // Left neighbour, centre, right neighbour (window order).
            for (std::int64_t q = 0; q < run; ++q)
                full[q] = column[q];
            for (std::int64_t q = c; q < run; ++q)
                full[q] = nanMax(column[q - c], full[q]);
            for (std::int64_t q = 0; q + c < run; ++q)
                full[q] = nanMax(full[q], column[q + c]);
            // The window position of each maximum: the first in row-major order that holds it
            // (the last one found, scanning backwards), as a float for the same vector width and
            // set by arithmetic (GCC leaves a select with a store unvectorised at SSE2). A
            // NaN maximum equals nothing: its gradient (NaN anyway) goes to the first position.
            float* __restrict position = runs[2].data();
            std::fill(position, position + run, float(rows.begin * 3));
            std::fill(position, position + c, float(rows.begin * 3 + 1));
            for (int r = rows.end - 1; r >= rows.begin; --r) {
                const float* __restrict in = image + (rows.first + r) * run;
                const auto code = float(r * 3);
                for (std::int64_t q = 0; q + c < run; ++q)
                    position[q] += float(in[q + c] == full[q]) * (code + 2 - position[q]);
                for (std::int64_t q = 0; q < run; ++q)
                    position[q] += float(in[q] == full[q]) * (code + 1 - position[q]);
                for (std::int64_t q = c; q < run; ++q)
                    position[q] += float(in[q - c] == full[q]) * (code - position[q]);
            }
            float* out = y + (n * s.outH() + i) * ow * c;
            std::uint8_t* arg = argmax + (n * s.outH() + i) * ow * c;
            for (std::int64_t j = 0; j < ow; ++j)
                for (std::int64_t ch = 0; ch < c; ++ch) {
                    out[j * c + ch] = full[j * s.stride * c + ch];
                    arg[j * c + ch] = std::uint8_t(position[j * s.stride * c + ch]);
                }
        }
    });
}

void maxPoolBackward(const float* gy, const std::uint8_t* argmax, const PoolShape& s, float* gx)
{
    const auto run = s.w * s.c, c = s.c, ow = s.outW();
    forEachImage(s, 0, [&](std::int64_t n, std::vector<std::vector<float>>&) {
        float* image = gx + n * s.h * run;
        std::fill(image, image + s.h * run, 0.0f);
        for (std::int64_t i = 0; i < s.outH(); ++i) {
            const float* g = gy + (n * s.outH() + i) * ow * c;
            const std::uint8_t* arg = argmax + (n * s.outH() + i) * ow * c;
            const auto first = i * s.stride - 1;
            for (std::int64_t j = 0; j < ow; ++j)
                for (std::int64_t ch = 0; ch < c; ++ch) {
                    const int k = arg[j * c + ch];
                    image[(first + k / 3) * run + (j * s.stride + k % 3 - 1) * c + ch] +=
                        g[j * c + ch];
                }
        }
    });
}

void avgPoolForward(const float* x, const PoolShape& s, float* y)
{
    const auto run = s.w * s.c, c = s.c, ow = s.outW();
    forEachImage(s, 2, [&](std::int64_t n, std::vector<std::vector<float>>& runs) {
        float* column = runs[0].data();
        float* full = runs[1].data();
        const float* image = x + n * s.h * run;
        for (std::int64_t i = 0; i < s.outH(); ++i) {
            const auto rows = windowRows(s, i);
            std::fill(column, column + run, 0.0f);
            for (int r = rows.begin; r < rows.end; ++r) {
                const float* in = image + (rows.first + r) * run;
                for (std::int64_t q = 0; q < run; ++q)
                    column[q] += in[q];
            }
            for (std::int64_t q = 0; q < run; ++q)
                full[q] = column[q];
            for (std::int64_t q = c; q < run; ++q)
                full[q] += column[q - c];
            for (std::int64_t q = 0; q + c < run; ++q)
                full[q] += column[q + c];
            float* out = y + (n * s.outH() + i) * ow * c;
            const int height = rows.end - rows.begin;
            for (std::int64_t j = 0; j < ow; ++j) {
                const auto count = float(height * windowCols(s, j));
                for (std::int64_t ch = 0; ch < c; ++ch)
                    out[j * c + ch] = full[j * s.stride * c + ch] / count;
            }
        }
    });
}

void avgPoolBackward(const float* gy, const PoolShape& s, float* gx)
{
    const auto run = s.w * s.c, c = s.c, ow = s.outW();
    forEachImage(s, 1, [&](std::int64_t n, std::vector<std::vector<float>>& runs) {
        float* share = runs[0].data(); // each output's gradient over its window size, at its centre
        float* image = gx + n * s.h * run;
        std::fill(image, image + s.h * run, 0.0f);
        for (std::int64_t i = 0; i < s.outH(); ++i) {
            const auto rows = windowRows(s, i);
            const float* g = gy + (n * s.outH() + i) * ow * c;
            std::fill(share, share + run, 0.0f);
            const int height = rows.end - rows.begin;
            for (std::int64_t j = 0; j < ow; ++j) {
                const auto count = float(height * windowCols(s, j));
                for (std::int64_t ch = 0; ch < c; ++ch)
                    share[j * s.stride * c + ch] = g[j * c + ch] / count;
            }
            // Every input pixel of a window gets the share of the window's centre (zero where no
            // output is centred at stride 2).
            for (int r = rows.begin; r < rows.end; ++r) {
                float* in = image + (rows.first + r) * run;
                for (std::int64_t q = 0; q < run; ++q)
                    in[q] += share[q];
                for (std::int64_t q = c; q < run; ++q)
                    in[q] += share[q - c];
                for (std::int64_t q = 0; q + c < run; ++q)
                    in[q] += share[q + c];
            }
        }
    });
}

} // namespace wb::darts::kernels
