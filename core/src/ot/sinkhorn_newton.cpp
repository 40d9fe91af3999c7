#include "ot/sinkhorn_newton.h"

#include "ot/lse_kernels.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace wb::ot {
namespace {

using Vec = std::vector<double>;

// Row-normalised plan entries kept for the Hessian: those above this (of a row summing to 1).
constexpr float kKeep = 1e-6f;
// Levenberg-Marquardt damping: lambda shrinks by kDown after an accepted step, grows by kUp
// after a rejected one; a step moves no g_j by more than kTrust * eps (the quadratic model of a
// near-permutation plan holds only within a few eps); conjugate gradients stop at a relative
// residual kForcing or after kCgIterations (a rough direction is enough under the trust cap).
constexpr double kDown = 3.0, kUp = 5.0, kTrust = 10.0, kForcing = 0.1;
constexpr int kCgIterations = 50;

// The plan of (T(g), g): f = T(g), column sums and the sparse rows pi (CSR, each row summing
// to about 1; P_ij = a_i pi_ij).
struct Plan {
    Vec f, cols;
    std::vector<std::int64_t> rowEnd;
    std::vector<std::int32_t> index;
    std::vector<float> pi;
};

// One float tile's rows (from row i0 on) on every thread: each takes a contiguous share with
// its own sparse lists and column sums, appended in row order afterwards.
void planTile(const torch::Tensor& tile, std::size_t i0, const std::vector<float>& h, float s,
              const Vec& a, Vec& lse, std::vector<float>& colSum, Plan& plan)
{
    const auto rows = tile.size(0), cols = tile.size(1);
    const std::int64_t parts = std::max<std::int64_t>(
        1, std::min<std::int64_t>(at::get_num_threads(), rows * cols / 65536));
    struct Part {
        std::vector<std::int32_t> index;
        std::vector<float> pi, colSum;
    };
    std::vector<Part> part(static_cast<std::size_t>(parts));
    const float* c = tile.data_ptr<float>();
    at::parallel_for(0, parts, 1, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t p = begin; p < end; ++p) {
            const auto r0 = rows * p / parts, r1 = rows * (p + 1) / parts;
            auto& mine = part[std::size_t(p)];
            mine.colSum.assign(std::size_t(cols), 0.0f);
            const auto i = i0 + std::size_t(r0);
            kernels::planRows(c + r0 * cols, r1 - r0, cols, h.data(), s, a.data() + i, kKeep,
                              lse.data() + i, mine.colSum.data(), mine.index, mine.pi,
                              plan.rowEnd.data() + i);
        }
    });
    for (std::int64_t p = 0; p < parts; ++p) {
        const auto& mine = part[std::size_t(p)];
        const auto base = std::int64_t(plan.index.size());
        for (auto r = i0 + std::size_t(rows * p / parts);
             r < i0 + std::size_t(rows * (p + 1) / parts); ++r)
            plan.rowEnd[r] += base;
        plan.index.insert(plan.index.end(), mine.index.begin(), mine.index.end());
        plan.pi.insert(plan.pi.end(), mine.pi.begin(), mine.pi.end());
        for (std::int64_t j = 0; j < cols; ++j)
            colSum[std::size_t(j)] += mine.colSum[std::size_t(j)];
    }
}

bool evaluate(CostTiles& cost, const Vec& g, const Vec& a, const Vec& logB, double eps, Plan& plan,
              const SinkhornMonitor& monitor)
{
    const auto n = std::size_t(cost.rows()), m = std::size_t(cost.cols());
    Vec lse(n);
    plan.rowEnd.assign(n, 0);
    plan.index.clear();
    plan.pi.clear();
    plan.cols.assign(m, 0.0);
    std::vector<float> h(m), colSum(m, 0.0f);
    Vec hd(m);
    for (std::size_t j = 0; j < m; ++j) {
        hd[j] = g[j] / eps + logB[j];
        h[j] = float(hd[j]);
    }
    for (std::int64_t k = 0; k < cost.tileCount(); ++k) {
        const auto tile = cost.tile(k).contiguous();
        const auto i0 = std::size_t(cost.tileBegin(k));
        if (tile.scalar_type() == torch::kFloat32) {
            planTile(tile, i0, h, float(1.0 / eps), a, lse, colSum, plan);
        } else {
            // Double precision (tests, --float64): exact exponentials and sums.
            const double* c = tile.data_ptr<double>();
            Vec x(m);
            for (std::int64_t r = 0; r < tile.size(0); ++r) {
                const auto i = i0 + std::size_t(r);
                double mx = -std::numeric_limits<double>::infinity();
                for (std::size_t j = 0; j < m; ++j) {
                    x[j] = hd[j] - c[std::size_t(r) * m + j] / eps;
                    mx = std::max(mx, x[j]);
                }
                double total = 0;
                for (std::size_t j = 0; j < m; ++j)
                    total += std::exp(x[j] - mx);
                lse[i] = mx + std::log(total);
                for (std::size_t j = 0; j < m; ++j) {
                    const double p = std::exp(x[j] - lse[i]);
                    plan.cols[j] += a[i] * p;
                    if (p > kKeep) {
                        plan.index.push_back(std::int32_t(j));
                        plan.pi.push_back(float(p));
                    }
                }
                plan.rowEnd[i] = std::int64_t(plan.index.size());
            }
        }
        if (monitor.stop && monitor.stop()) return false;
    }
    plan.f.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        plan.f[i] = -eps * lse[i];
    for (std::size_t j = 0; j < m; ++j)
        plan.cols[j] += colSum[j];
    return true;
}

// y = (S + lambda diag(cols)) x, S x = diag(cols) x - sum_i a_i pi_i (pi_i . x) on the sparse
// rows.
void multiply(const Plan& p, const Vec& a, double lambda, const Vec& x, Vec& y)
{
    y.resize(x.size());
    for (std::size_t j = 0; j < x.size(); ++j)
        y[j] = (1.0 + lambda) * p.cols[j] * x[j];
    std::int64_t start = 0;
    for (std::size_t i = 0; i < p.rowEnd.size(); ++i) {
        double s = 0;
        for (std::int64_t k = start; k < p.rowEnd[i]; ++k)
            s += double(p.pi[std::size_t(k)]) * x[std::size_t(p.index[std::size_t(k)])];
        s *= a[i];
        for (std::int64_t k = start; k < p.rowEnd[i]; ++k)
            y[std::size_t(p.index[std::size_t(k)])] -= s * double(p.pi[std::size_t(k)]);
        start = p.rowEnd[i];
    }
}

double dot(const Vec& u, const Vec& v)
{
    double s = 0;
    for (std::size_t i = 0; i < u.size(); ++i)
        s += u[i] * v[i];
    return s;
}

// Conjugate gradients on S x = rhs, preconditioned by diag(cols), to a relative residual
// `forcing` (inexact Newton). rhs sums to 0 (both marginals have mass 1), so the singular system
// is consistent; the iterates stay orthogonal to the null space up to rounding.
Vec solve(const Plan& p, const Vec& a, double lambda, const Vec& rhs, double forcing,
          int maxIterations)
{
    Vec x(rhs.size(), 0.0), r = rhs, z(rhs.size()), q, sq;
    Vec diag(rhs.size());
    for (std::size_t j = 0; j < r.size(); ++j) {
        diag[j] = std::max((1.0 + lambda) * p.cols[j], 1e-300);
        z[j] = r[j] / diag[j];
    }
    q = z;
    double rz = dot(r, z);
    const double stop = forcing * forcing * dot(rhs, rhs);
    for (int it = 0; it < maxIterations && dot(r, r) > stop; ++it) {
        multiply(p, a, lambda, q, sq);
        const double curvature = dot(q, sq);
        if (!(curvature > 0)) break;
        const double alpha = rz / curvature;
        for (std::size_t j = 0; j < x.size(); ++j) {
            x[j] += alpha * q[j];
            r[j] -= alpha * sq[j];
            z[j] = r[j] / diag[j];
        }
        const double next = dot(r, z);
        for (std::size_t j = 0; j < q.size(); ++j)
            q[j] = z[j] + (next / rz) * q[j];
        rz = next;
    }
    return x;
}

double columnError(const Plan& p, const Vec& b)
{
    double e = 0;
    for (std::size_t j = 0; j < b.size(); ++j)
        e += std::abs(b[j] - p.cols[j]);
    return e;
}

} // namespace

NewtonOutcome newtonSteps(CostTiles& cost, Vec& f, Vec& g, const Vec& a, const Vec& b,
                          const SinkhornOptions& o, double tolerance,
                          const SinkhornMonitor& monitor)
{
    const double eps = o.eps;
    NewtonOutcome out;
    Vec logB(b.size());
    for (std::size_t j = 0; j < b.size(); ++j)
        logB[j] = std::log(b[j]);
    Plan plan, trial;
    if (!evaluate(cost, g, a, logB, eps, plan, monitor)) return {true, 1, 1.0};
    out.passes = 1;
    Vec tg(g.size()), gradient(g.size());
    // Levenberg-Marquardt: (S + lambda diag(cols)) d = gradient. S is nearly singular on the slow
    // modes, where the undamped step leaves the region the quadratic model holds in; lambda = 1
    // gives about a Sinkhorn step (eps (b - c) / c), lambda -> 0 Newton's. A step is kept when
    // it lowers the column error: the semi-dual's value, from float passes, is too noisy to
    // compare steps near the optimum.
    double lambda = 1.0;
    while (true) {
        out.error = columnError(plan, b);
        if (out.error < tolerance || out.passes >= o.maxIterations) break;
        for (std::size_t j = 0; j < g.size(); ++j)
            gradient[j] = b[j] - plan.cols[j];
        const auto step = solve(plan, a, lambda, gradient, kForcing, kCgIterations);
        double biggest = 0;
        for (double v : step)
            biggest = std::max(biggest, std::abs(v));
        const double scale = std::min(1.0, kTrust / std::max(biggest, 1e-300));
        for (std::size_t j = 0; j < g.size(); ++j)
            tg[j] = g[j] + scale * eps * step[j];
        if (!evaluate(cost, tg, a, logB, eps, trial, monitor)) {
            out.stopped = true;
            return out;
        }
        ++out.passes;
        if (monitor.progress &&
            !monitor.progress(progressFraction(1, 1, out.error, out.passes, o))) {
            out.stopped = true;
            return out;
        }
        const double trialError = columnError(trial, b);
        if (std::isfinite(trialError) && trialError < out.error) {
            g.swap(tg);
            std::swap(plan, trial);
            lambda = std::max(lambda / kDown, 1e-9);
        } else {
            lambda *= kUp;
            if (lambda > 1e6) break;
        }
    }
    out.error = columnError(plan, b);
    f = plan.f;
    return out;
}

} // namespace wb::ot
