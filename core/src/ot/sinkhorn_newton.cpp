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
constexpr double kKeep = 1e-6;
// Levenberg-Marquardt damping: lambda shrinks by kDown after a step that gained at least 3/4 of
// what the quadratic model promised, grows by kUp after one that gained less than 1/4 (kept if it
// gained at all); a step moves no g_j by more than kTrust * eps (the quadratic model of a
// near-permutation plan holds only within a few eps); conjugate gradients stop at a relative
// residual kForcing or after kCgIterations (a rough direction is enough under the trust cap).
constexpr double kDown = 3.0, kUp = 5.0, kTrust = 10.0, kForcing = 0.1;
constexpr int kCgIterations = 50;
// Gains below this fraction of the semi-dual's value are too close to its rounding to judge a
// step by (a pass's exponentials are float: each f_i = T(g)_i is off by about 1e-7 eps).
constexpr double kResolved = 1e-9;
// The passes read only candidate entries: per row, those whose exponent (g_j - C_ij) / eps +
// log b_j was within kWindow of the row's largest when the list was made at gRef. While the
// spread max_j - min_j of (g_j - gRef_j) / eps stays below kWindow - kDropped, every entry left
// out is below exp(-kDropped) of its row's largest: with kDropped = 40, even a million of them
// move a row's sum by 4e-12 of it, far below the float rounding of the cost. The lists are
// remade when the spread grows past that. A near-permutation plan (OTDD at eps 0.1) has about
// ten candidates a row at this window, so a pass costs a few hundredths of a dense one on a
// 1000 x 1000 problem.
constexpr double kWindow = 60.0, kDropped = 40.0;

struct Candidates {
    Vec gRef;
    std::vector<std::int64_t> rowEnd;
    std::vector<std::int32_t> index;
    Vec cost;
};

// The plan of (T(g), g) from the candidates: f = T(g), column sums and the sparse rows pi (CSR,
// each row summing to 1 up to the left-out entries; P_ij = a_i pi_ij).
struct Plan {
    Vec f, cols;
    std::vector<std::int64_t> rowEnd;
    std::vector<std::int32_t> index;
    std::vector<float> pi;
};

// One tile's candidate rows (from row i0 on), in parts over the threads, each with its own lists,
// appended in row order afterwards.
template <typename T>
void selectTile(const torch::Tensor& tile, std::size_t i0, const std::vector<T>& h, double eps,
                Candidates& out)
{
    const auto rows = tile.size(0), cols = tile.size(1);
    const std::int64_t parts = std::max<std::int64_t>(
        1, std::min<std::int64_t>(at::get_num_threads(), rows * cols / 65536));
    struct Part {
        std::vector<std::int32_t> index;
        std::vector<T> cost;
    };
    std::vector<Part> part(static_cast<std::size_t>(parts));
    const T* c = tile.data_ptr<T>();
    at::parallel_for(0, parts, 1, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t p = begin; p < end; ++p) {
            const auto r0 = rows * p / parts, r1 = rows * (p + 1) / parts;
            auto& mine = part[std::size_t(p)];
            kernels::rowCandidates(c + r0 * cols, r1 - r0, cols, h.data(), T(1.0 / eps), T(kWindow),
                                   mine.index, mine.cost, out.rowEnd.data() + i0 + std::size_t(r0));
        }
    });
    for (std::int64_t p = 0; p < parts; ++p) {
        const auto& mine = part[std::size_t(p)];
        const auto base = std::int64_t(out.index.size());
        for (auto r = i0 + std::size_t(rows * p / parts);
             r < i0 + std::size_t(rows * (p + 1) / parts); ++r)
            out.rowEnd[r] += base;
        out.index.insert(out.index.end(), mine.index.begin(), mine.index.end());
        out.cost.insert(out.cost.end(), mine.cost.begin(), mine.cost.end());
    }
}

// Candidate lists at g: one pass over the cost.
bool select(CostTiles& cost, const Vec& g, const Vec& logB, double eps, Candidates& out,
            const SinkhornMonitor& monitor)
{
    const auto m = std::size_t(cost.cols());
    out.gRef = g;
    out.rowEnd.assign(std::size_t(cost.rows()), 0);
    out.index.clear();
    out.cost.clear();
    Vec hd(m);
    std::vector<float> hf(m);
    for (std::size_t j = 0; j < m; ++j) {
        hd[j] = g[j] / eps + logB[j];
        hf[j] = float(hd[j]);
    }
    for (std::int64_t k = 0; k < cost.tileCount(); ++k) {
        const auto tile = cost.tile(k).contiguous();
        const auto i0 = std::size_t(cost.tileBegin(k));
        if (tile.scalar_type() == torch::kFloat32)
            selectTile(tile, i0, hf, eps, out);
        else
            selectTile(tile, i0, hd, eps, out);
        if (monitor.stop && monitor.stop()) return false;
    }
    return true;
}

// max_j - min_j of (g_j - gRef_j) / eps.
double spread(const Vec& g, const Vec& gRef, double eps)
{
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (std::size_t j = 0; j < g.size(); ++j) {
        lo = std::min(lo, g[j] - gRef[j]);
        hi = std::max(hi, g[j] - gRef[j]);
    }
    return (hi - lo) / eps;
}

// The plan at g over the candidates: exponents and their row maxima in double, the exponentials
// of the (small, non-positive) differences in float by the vectorised kernel.
void evaluate(const Candidates& c, const Vec& g, const Vec& a, const Vec& logB, double eps,
              Plan& plan)
{
    const auto n = c.rowEnd.size();
    const auto m = g.size();
    Vec h(m), x(c.index.size()), rowMax(n);
    for (std::size_t j = 0; j < m; ++j)
        h[j] = g[j] / eps + logB[j];
    const double s = 1.0 / eps;
    std::vector<float> e(c.index.size());
    std::int64_t start = 0;
    for (std::size_t i = 0; i < n; ++i) {
        double mx = -std::numeric_limits<double>::infinity();
        for (auto k = std::size_t(start); k < std::size_t(c.rowEnd[i]); ++k) {
            x[k] = h[std::size_t(c.index[k])] - s * c.cost[k];
            mx = std::max(mx, x[k]);
        }
        for (auto k = std::size_t(start); k < std::size_t(c.rowEnd[i]); ++k)
            e[k] = float(x[k] - mx);
        rowMax[i] = mx;
        start = c.rowEnd[i];
    }
    kernels::expInPlace(e.data(), std::int64_t(e.size()));
    plan.f.resize(n);
    plan.cols.assign(m, 0.0);
    plan.rowEnd.resize(n);
    plan.index.clear();
    plan.pi.clear();
    start = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const auto b = std::size_t(start), end = std::size_t(c.rowEnd[i]);
        double total = 0;
        for (auto k = b; k < end; ++k)
            total += double(e[k]);
        plan.f[i] = -eps * (rowMax[i] + std::log(total));
        const double inverse = 1.0 / total;
        for (auto k = b; k < end; ++k) {
            const double p = double(e[k]) * inverse;
            const auto j = c.index[k];
            plan.cols[std::size_t(j)] += a[i] * p;
            if (p > kKeep) {
                plan.index.push_back(j);
                plan.pi.push_back(float(p));
            }
        }
        plan.rowEnd[i] = std::int64_t(plan.index.size());
        start = c.rowEnd[i];
    }
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

// Conjugate gradients on (S + lambda diag(cols)) x = rhs, preconditioned by its diagonal
// (1 + lambda) cols_j - sum_i a_i pi_ij^2 (a row that sends nearly all its mass to one column adds
// almost nothing to S there: diag(cols) alone overstates such columns), to a relative residual
// `forcing` (inexact Newton). rhs sums to 0 (both marginals have mass 1), so the singular system
// is consistent; the iterates stay orthogonal to the null space up to rounding.
Vec solve(const Plan& p, const Vec& a, double lambda, const Vec& rhs, double forcing,
          int maxIterations)
{
    Vec x(rhs.size(), 0.0), r = rhs, z(rhs.size()), q, sq;
    Vec diag(rhs.size());
    for (std::size_t j = 0; j < r.size(); ++j)
        diag[j] = (1.0 + lambda) * p.cols[j];
    std::int64_t start = 0;
    for (std::size_t i = 0; i < p.rowEnd.size(); ++i) {
        for (auto k = std::size_t(start); k < std::size_t(p.rowEnd[i]); ++k)
            diag[std::size_t(p.index[k])] -= a[i] * double(p.pi[k]) * double(p.pi[k]);
        start = p.rowEnd[i];
    }
    for (std::size_t j = 0; j < r.size(); ++j) {
        diag[j] = std::max(diag[j], 1e-300);
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

// F(g) = <a, T(g)> + <b, g>, the semi-dual, from the plan at g.
double semiDual(const Plan& p, const Vec& a, const Vec& b, const Vec& g)
{
    return dot(a, p.f) + dot(b, g);
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
    Candidates candidates;
    // The plan at gv, from candidate lists remade first when gv has left their range.
    auto planAt = [&](const Vec& gv, Plan& plan) {
        if (candidates.gRef.empty() || spread(gv, candidates.gRef, eps) > kWindow - kDropped)
            if (!select(cost, gv, logB, eps, candidates, monitor)) return false;
        evaluate(candidates, gv, a, logB, eps, plan);
        return true;
    };
    Plan plan, trial;
    if (!planAt(g, plan)) return {true, 1, 1.0};
    out.passes = 1;
    Vec tg(g.size()), gradient(g.size());
    // Levenberg-Marquardt: (S + lambda diag(cols)) d = gradient. S is nearly singular on the slow
    // modes, where the undamped step leaves the region the quadratic model holds in; lambda = 1
    // gives about a Sinkhorn step (eps (b - c) / c), lambda -> 0 Newton's. The step is clipped
    // coordinate by coordinate: a nearly decoupled group of columns, whose Newton step is huge,
    // moves by the cap while the others take their own step (scaling the whole step down to the
    // cap instead stalled the 1000 x 1000 problems for tens of passes). Steps are judged by the
    // semi-dual's gain against the model's, rho; where the model's gain is too small for the
    // value (from double passes) to resolve, by the column error instead.
    double lambda = 1.0;
    Vec delta(g.size()), curvature;
    while (true) {
        out.error = columnError(plan, b);
        if (out.error < tolerance || out.passes >= o.maxIterations) break;
        for (std::size_t j = 0; j < g.size(); ++j)
            gradient[j] = b[j] - plan.cols[j];
        const auto step = solve(plan, a, lambda, gradient, kForcing, kCgIterations);
        for (std::size_t j = 0; j < g.size(); ++j) {
            delta[j] = std::clamp(step[j], -kTrust, kTrust);
            tg[j] = g[j] + eps * delta[j];
        }
        // The model's gain for g + eps delta: eps (gradient . delta - delta^T S delta / 2).
        multiply(plan, a, 0.0, delta, curvature);
        const double promised = eps * (dot(gradient, delta) - 0.5 * dot(delta, curvature));
        if (!planAt(tg, trial)) {
            out.stopped = true;
            return out;
        }
        ++out.passes;
        if (monitor.progress &&
            !monitor.progress(progressFraction(1, 1, out.error, out.passes, o))) {
            out.stopped = true;
            return out;
        }
        const double before = semiDual(plan, a, b, g);
        const double rho = (semiDual(trial, a, b, tg) - before) / promised;
        const double trialError = columnError(trial, b);
        const bool resolved = promised > kResolved * (1.0 + std::abs(before));
        const bool keep = resolved ? rho > 1e-4 : trialError < out.error;
        if (keep && std::isfinite(trialError)) {
            g.swap(tg);
            std::swap(plan, trial);
        }
        if (resolved ? rho > 0.75 : keep) {
            lambda = std::max(lambda / kDown, 1e-9);
        } else if (!(resolved && rho >= 0.25)) {
            lambda *= kUp;
            if (lambda > 1e6) break;
        }
    }
    out.error = columnError(plan, b);
    f = plan.f;
    return out;
}

} // namespace wb::ot
