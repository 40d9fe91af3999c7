#include "ot/sinkhorn_newton.h"

#include "ot/newton_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace wb::ot {
namespace {

using Vec = std::vector<double>;

// Levenberg-Marquardt damping: lambda shrinks by kDown after a step that gained at least 3/4 of
// what the quadratic model promised, grows by kUp after one that gained less than 1/4 (kept if it
// gained at all); a step moves no g_j by more than kTrust * eps (the quadratic model of a
// near-permutation plan holds only within a few eps); conjugate gradients stop at a relative
// residual kForcing or after kCgIterations (a rough direction is enough under the trust cap).
constexpr double kDown = 3.0, kUp = 5.0, kTrust = 10.0, kForcing = 0.1;
constexpr int kCgIterations = 50;
// Gains below this fraction of the semi-dual's value are too close to its rounding to judge a
// step by (a candidate pass's exponentials are float: each f_i = T(g)_i is off by about 1e-7 eps).
constexpr double kResolved = 1e-9;

// y = (S + lambda diag(cols)) x, S x = diag(cols) x - sum_i a_i pi_i (pi_i . x) on the sparse
// rows.
void multiply(const NewtonPlan& p, const Vec& a, double lambda, const Vec& x, Vec& y)
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
Vec solve(const NewtonPlan& p, const Vec& a, double lambda, const Vec& rhs, double forcing,
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
double semiDual(const NewtonPlan& p, const Vec& a, const Vec& b, const Vec& g)
{
    return dot(a, p.f) + dot(b, g);
}

double columnError(const NewtonPlan& p, const Vec& b)
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
    NewtonPlanReader reader(cost, b, eps);
    NewtonPlan plan, trial;
    if (!reader.read(g, a, plan, monitor)) return {true, 1, 1.0};
    out.passes = 1;
    Vec tg(g.size()), gradient(g.size());
    // Levenberg-Marquardt: (S + lambda diag(cols)) d = gradient. S is nearly singular on the slow
    // modes, where the undamped step leaves the region the quadratic model holds in; lambda = 1
    // gives about a Sinkhorn step (eps (b - c) / c), lambda -> 0 Newton's. The step is clipped
    // coordinate by coordinate: a nearly decoupled group of columns, whose Newton step is huge,
    // moves by the cap while the others take their own step (scaling the whole step down to the
    // cap instead stalled the 1000 x 1000 problems for tens of passes). Steps are judged by the
    // semi-dual's gain against the model's, rho; by the column error where the plan's value is
    // too coarse for that (dense float passes) or the model's gain below its rounding.
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
        if (!reader.read(tg, a, trial, monitor)) {
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
        const bool resolved = reader.precise() && promised > kResolved * (1.0 + std::abs(before));
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
