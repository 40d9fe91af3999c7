#include "ot/sinkhorn.h"

#include "ot/lse_kernels.h"
#include "ot/sinkhorn_newton.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace wb::ot {
namespace {

using Vec = std::vector<double>;

// The iteration state lives in plain vectors: a small inner problem (two classes of 50 samples)
// costs microseconds per iteration, which per-op tensor dispatch would multiply tenfold. Tiles
// on a GPU are read by torch operations there, one copy of the result back per half-iteration.
class Softmin {
public:
    Softmin(CostTiles& cost, bool tensorOps)
        : m_cost(cost), m_tensorOps(tensorOps || !cost.device().is_cpu()),
          m_float(cost.dtype() == torch::kFloat32),
          m_hf(std::size_t(std::max(cost.rows(), cost.cols()))), m_hd(m_hf.size()),
          m_mf(std::size_t(cost.cols())), m_sf(m_mf.size()), m_md(m_mf.size()), m_sd(m_mf.size())
    {
    }

    // out_i = -eps log sum_j exp(logW_j + (p_j - C_ij) / eps); false when stopped.
    bool rows(const Vec& p, const Vec& logW, double eps, Vec& out, const SinkhornMonitor& monitor)
    {
        if (m_tensorOps) return rowsByTensors(p, logW, eps, out, monitor);
        const auto m = std::size_t(m_cost.cols());
        for (std::size_t j = 0; j < m; ++j)
            set(j, p[j] / eps + logW[j]);
        out.resize(std::size_t(m_cost.rows()));
        for (std::int64_t k = 0; k < m_cost.tileCount(); ++k) {
            const auto tile = m_cost.tile(k).contiguous();
            double* o = out.data() + m_cost.tileBegin(k);
            if (m_float)
                kernels::rowLogSumExp(tile.data_ptr<float>(), tile.size(0), tile.size(1),
                                      m_hf.data(), float(1.0 / eps), o);
            else
                kernels::rowLogSumExp(tile.data_ptr<double>(), tile.size(0), tile.size(1),
                                      m_hd.data(), 1.0 / eps, o);
            if (monitor.stop && monitor.stop()) return false;
        }
        for (auto& v : out)
            v *= -eps;
        return true;
    }

    // out_j = -eps log sum_i exp(logW_i + (p_i - C_ij) / eps), over row tiles.
    bool cols(const Vec& p, const Vec& logW, double eps, Vec& out, const SinkhornMonitor& monitor)
    {
        if (m_tensorOps) return colsByTensors(p, logW, eps, out, monitor);
        const auto n = std::size_t(m_cost.rows());
        const auto m = std::size_t(m_cost.cols());
        for (std::size_t i = 0; i < n; ++i)
            set(i, p[i] / eps + logW[i]);
        std::fill(m_mf.begin(), m_mf.end(), -std::numeric_limits<float>::infinity());
        std::fill(m_sf.begin(), m_sf.end(), 0.0f);
        std::fill(m_md.begin(), m_md.end(), -std::numeric_limits<double>::infinity());
        std::fill(m_sd.begin(), m_sd.end(), 0.0);
        for (std::int64_t k = 0; k < m_cost.tileCount(); ++k) {
            const auto tile = m_cost.tile(k).contiguous();
            const auto i0 = std::size_t(m_cost.tileBegin(k));
            if (m_float)
                kernels::colLogSumExpAccumulate(tile.data_ptr<float>(), tile.size(0), tile.size(1),
                                                m_hf.data() + i0, float(1.0 / eps), m_mf.data(),
                                                m_sf.data());
            else
                kernels::colLogSumExpAccumulate(tile.data_ptr<double>(), tile.size(0), tile.size(1),
                                                m_hd.data() + i0, 1.0 / eps, m_md.data(),
                                                m_sd.data());
            if (monitor.stop && monitor.stop()) return false;
        }
        out.resize(m);
        for (std::size_t j = 0; j < m; ++j)
            out[j] = -eps * (m_float ? double(m_mf[j]) + std::log(double(m_sf[j]))
                                     : m_md[j] + std::log(m_sd[j]));
        return true;
    }

private:
    // p / eps + logW on the tiles' device, in their dtype.
    torch::Tensor exponents(const Vec& p, const Vec& logW, double eps) const
    {
        Vec h(p.size());
        for (std::size_t i = 0; i < h.size(); ++i)
            h[i] = p[i] / eps + logW[i];
        return torch::tensor(h, torch::kFloat64).to(m_cost.device(), m_cost.dtype());
    }

    // -eps * lse scattered into `out` (one copy from the device).
    static void store(const torch::Tensor& lse, double eps, Vec& out)
    {
        const auto host = lse.to(torch::kCPU, torch::kFloat64).contiguous();
        out.assign(host.data_ptr<double>(), host.data_ptr<double>() + host.numel());
        for (auto& v : out)
            v *= -eps;
    }

    bool rowsByTensors(const Vec& p, const Vec& logW, double eps, Vec& out,
                       const SinkhornMonitor& monitor)
    {
        const auto h = exponents(p, logW, eps).unsqueeze(0);
        std::vector<torch::Tensor> parts;
        for (std::int64_t k = 0; k < m_cost.tileCount(); ++k) {
            parts.push_back(torch::logsumexp(torch::add(h, m_cost.tile(k), -1.0 / eps), 1));
            if (monitor.stop && monitor.stop()) return false;
        }
        store(torch::cat(parts), eps, out);
        return true;
    }

    bool colsByTensors(const Vec& p, const Vec& logW, double eps, Vec& out,
                       const SinkhornMonitor& monitor)
    {
        const auto h = exponents(p, logW, eps);
        torch::Tensor lse;
        for (std::int64_t k = 0; k < m_cost.tileCount(); ++k) {
            const auto rows = h.slice(0, m_cost.tileBegin(k), m_cost.tileEnd(k)).unsqueeze(1);
            const auto part = torch::logsumexp(torch::add(rows, m_cost.tile(k), -1.0 / eps), 0);
            lse = lse.defined() ? torch::logaddexp(lse, part) : part;
            if (monitor.stop && monitor.stop()) return false;
        }
        store(lse, eps, out);
        return true;
    }

    void set(std::size_t i, double v)
    {
        if (m_float)
            m_hf[i] = float(v);
        else
            m_hd[i] = v;
    }
    CostTiles& m_cost;
    bool m_tensorOps;
    bool m_float;
    std::vector<float> m_hf;
    Vec m_hd;
    std::vector<float> m_mf, m_sf;
    Vec m_md, m_sd;
};

Vec toVec(const torch::Tensor& t)
{
    const auto c = t.to(torch::kFloat64).contiguous();
    return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

torch::Tensor toTensor(const Vec& v)
{
    return torch::tensor(v, torch::kFloat64);
}

Vec logOf(const Vec& w)
{
    Vec out(w.size());
    for (std::size_t i = 0; i < w.size(); ++i)
        out[i] = std::log(w[i]);
    return out;
}

double dot(const Vec& a, const Vec& b)
{
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        s += a[i] * b[i];
    return s;
}

// eps levels from the cost bound down to (excluding) the target.
std::vector<double> annealing(double bound, const SinkhornOptions& o)
{
    std::vector<double> levels;
    if (o.annealFactor <= 0 || o.annealFactor >= 1) return levels;
    for (double e = bound; e > o.eps && levels.size() < 200; e *= o.annealFactor)
        levels.push_back(e);
    return levels;
}

// sum_i a_i |exp((f_i - fNext_i) / eps) - 1|: the row-marginal violation of (f, g) when
// fNext = T(g).
double marginalError(const Vec& a, const Vec& f, const Vec& fNext, double eps)
{
    double e = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        e += a[i] * std::abs(std::expm1((f[i] - fNext[i]) / eps));
    return e;
}

} // namespace

// Progress over annealing (first 20%) and then in log(error) towards the tolerance.
double progressFraction(int level, int levels, double error, int iteration,
                        const SinkhornOptions& o)
{
    if (level < levels) return 0.2 * double(level) / double(std::max(1, levels));
    double p = double(iteration) / double(std::max(1, o.maxIterations));
    if (error > 0 && error < 1 && o.tolerance < 1)
        p = std::max(p, std::log(error) / std::log(o.tolerance));
    return 0.2 + 0.8 * std::clamp(p, 0.0, 1.0);
}

SinkhornOutcome sinkhorn(CostTiles& cost, const torch::Tensor& weightsA,
                         const torch::Tensor& weightsB, const SinkhornOptions& o,
                         const SinkhornMonitor& monitor)
{
    torch::NoGradGuard noGrad;
    SinkhornOutcome out;
    const auto a = toVec(weightsA), b = toVec(weightsB);
    const auto logA = logOf(a), logB = logOf(b);
    Vec f(a.size(), 0.0), g(b.size(), 0.0), fNext, gNext;
    Softmin softmin(cost, o.tensorOps);
    auto cancel = [&] {
        out.cancelled = true;
        return out;
    };
    const auto levels = annealing(std::max(cost.bound(), o.eps), o);
    const int L = int(levels.size());
    int iterations = 0;
    for (int l = 0; l < L; ++l) {
        if (!softmin.rows(g, logB, levels[l], f, monitor) ||
            !softmin.cols(f, logA, levels[l], g, monitor))
            return cancel();
        ++iterations;
        if (monitor.progress && !monitor.progress(progressFraction(l + 1, L, 1.0, 0, o)))
            return cancel();
    }
    double omega = o.overRelaxation;
    double best = std::numeric_limits<double>::infinity();
    double error = 1.0;
    if (o.newton && cost.device().is_cpu()) {
        // Newton from the annealed potentials; whatever it leaves above the tolerance, the
        // Sinkhorn sweeps below finish (and they verify the reported pair in any case).
        const auto nt = newtonSteps(cost, f, g, a, b, o, 0.5 * o.tolerance, monitor);
        if (nt.stopped) return cancel();
        iterations += nt.passes;
        error = nt.error;
    }
    for (int it = 1;; ++it) {
        // Verification: with g = T(f) the column sums are exact and the row error of (f, g) is
        // the whole marginal error; that pair is what is reported.
        const bool verify = it >= o.maxIterations || error < o.tolerance || omega == 1.0;
        if (verify) {
            if (!softmin.cols(f, logA, o.eps, g, monitor)) return cancel();
            if (!softmin.rows(g, logB, o.eps, fNext, monitor)) return cancel();
            ++iterations;
            error = marginalError(a, f, fNext, o.eps);
            if (!std::isfinite(error)) break;
            if (error < o.tolerance || it >= o.maxIterations) {
                out.stats.converged = error < o.tolerance;
                break;
            }
            for (std::size_t i = 0; i < f.size(); ++i)
                f[i] += omega * (fNext[i] - f[i]);
        } else {
            // Over-relaxed sweep (Thibault et al. 2017): x <- x + omega (T(x) - x) on both
            // potentials; same fixed point, several times fewer sweeps at small eps. The errors
            // seen here are estimates that only decide when to verify.
            if (!softmin.rows(g, logB, o.eps, fNext, monitor)) return cancel();
            const double rowError = marginalError(a, f, fNext, o.eps);
            for (std::size_t i = 0; i < f.size(); ++i)
                f[i] += omega * (fNext[i] - f[i]);
            if (!softmin.cols(f, logA, o.eps, gNext, monitor)) return cancel();
            const double colError = marginalError(b, g, gNext, o.eps);
            for (std::size_t j = 0; j < g.size(); ++j)
                g[j] += omega * (gNext[j] - g[j]);
            ++iterations;
            error = rowError + colError;
            // Safeguard: relaxation is only locally convergent; fall back to plain Sinkhorn
            // when the error runs away.
            if (!std::isfinite(error) || error > 10.0 * best) {
                omega = 1.0;
                error = 1.0;
            }
            best = std::min(best, error);
        }
        if (monitor.progress && !monitor.progress(progressFraction(L, L, error, it, o)))
            return cancel();
    }
    out.stats.iterations = iterations;
    out.stats.marginalError = error;
    out.stats.cost = dot(a, f) + dot(b, g);
    out.f = toTensor(f);
    out.g = toTensor(g);
    return out;
}

SinkhornOutcome sinkhornSymmetric(CostTiles& cost, const torch::Tensor& weights,
                                  const SinkhornOptions& o, const SinkhornMonitor& monitor)
{
    torch::NoGradGuard noGrad;
    SinkhornOutcome out;
    const auto a = toVec(weights);
    const auto logA = logOf(a);
    Vec f(a.size(), 0.0), tf;
    Softmin softmin(cost, o.tensorOps);
    auto cancel = [&] {
        out.cancelled = true;
        return out;
    };
    // No annealing: it carries mass across the cost's scales, and here each point's mass stays
    // next to itself. Started at T(0), the averaged updates needed fewer of them than after
    // annealing on every case measured (clusters, duplicates, eps from 1e-4 to 10 of the data's
    // spread: 3-13 against 7-27, values equal to 1e-9).
    if (!softmin.rows(f, logA, o.eps, tf, monitor)) return cancel();
    f = tf;
    int iterations = 1;
    double error = 1.0;
    for (int it = 1;; ++it) {
        if (!softmin.rows(f, logA, o.eps, tf, monitor)) return cancel();
        ++iterations;
        error = marginalError(a, f, tf, o.eps);
        if (!std::isfinite(error)) break;
        if (error < o.tolerance || it >= o.maxIterations) {
            out.stats.converged = error < o.tolerance;
            break;
        }
        for (std::size_t i = 0; i < f.size(); ++i)
            f[i] = 0.5 * (f[i] + tf[i]);
        if (monitor.progress && !monitor.progress(progressFraction(1, 1, error, it, o)))
            return cancel();
    }
    out.stats.iterations = iterations;
    out.stats.marginalError = error;
    // (f, T(f)) has exact column sums: its dual objective needs no mass correction.
    out.stats.cost = dot(a, f) + dot(a, tf);
    out.f = toTensor(f);
    out.g = toTensor(tf);
    return out;
}

torch::Tensor classCoupling(CostTiles& cost, const SinkhornOutcome& solved, const torch::Tensor& a,
                            const torch::Tensor& b, double eps, const torch::Tensor& labelsX,
                            std::int64_t classesX, const torch::Tensor& labelsY,
                            std::int64_t classesY)
{
    torch::NoGradGuard noGrad;
    const auto dtype = cost.dtype();
    const auto on = torch::TensorOptions(dtype).device(cost.device());
    const auto hx = (solved.f / eps + a.log()).to(on);
    const auto hy = (solved.g / eps + b.log()).to(on).unsqueeze(0);
    const auto oneHotY =
        torch::one_hot(labelsY.to(cost.device(), torch::kInt64), classesY).to(on); // m x Ky
    auto mass = torch::zeros({classesX, classesY}, on.dtype(torch::kFloat64));
    const auto lx = labelsX.to(cost.device(), torch::kInt64);
    for (std::int64_t k = 0; k < cost.tileCount(); ++k) {
        const auto i0 = cost.tileBegin(k), i1 = cost.tileEnd(k);
        auto t = torch::add(hy, cost.tile(k), -1.0 / eps).add_(hx.slice(0, i0, i1).unsqueeze(1));
        const auto perRow = t.exp_().mm(oneHotY).to(torch::kFloat64); // T x Ky
        mass.index_add_(0, lx.slice(0, i0, i1), perRow);
    }
    return mass.t().to(torch::kCPU).contiguous();
}

} // namespace wb::ot
