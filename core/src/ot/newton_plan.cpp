#include "ot/newton_plan.h"

#include "ot/lse_kernels.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

namespace wb::ot {
namespace {

using Vec = std::vector<double>;

// Row-normalised plan entries kept for the Hessian: those above this (of a row summing to 1).
constexpr double kKeep = 1e-6;
// Candidates lie within kWindow of their row's largest exponent x_ij = (g_j - C_ij) / eps +
// log b_j at gRef. An entry left out has since grown by at most the spread max_j - min_j of
// (g_j - gRef_j) / eps against the row's largest, so while that spread stays below kWindow -
// kDropped every such entry is below exp(-kDropped) of its row's largest: with kDropped = 40,
// even a million of them move a row's sum by 4e-12 of it, far below the float rounding of the
// cost.
constexpr double kWindow = 60.0, kDropped = 40.0;
// Lists holding more than this share of the entries, and more than kDenseEntries of them, do not
// pay: a listed entry costs several times a dense pass's once the lists (12 bytes an entry) no
// longer stay in the cache, and their memory grows with the problem. Smaller lists pay even at a
// larger share: their passes are precise (double exponents), which saves Newton steps.
constexpr double kDenseShare = 0.125;
constexpr double kDenseEntries = 1 << 20;

// How many parts a tile's rows are split into over the threads (at least 65536 entries each).
std::int64_t partsOf(const torch::Tensor& tile)
{
    return std::max<std::int64_t>(
        1, std::min<std::int64_t>(at::get_num_threads(), tile.size(0) * tile.size(1) / 65536));
}

// fill(part, r0, r1) for each part of a tile's rows [0, rows), the parts spread over the threads.
template <typename Part, typename Fill>
void fillParts(std::vector<Part>& part, std::int64_t rows, Fill&& fill)
{
    const auto parts = std::int64_t(part.size());
    at::parallel_for(0, parts, 1, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t p = begin; p < end; ++p)
            fill(part[std::size_t(p)], rows * p / parts, rows * (p + 1) / parts);
    });
}

// Each part filled its own lists; they are appended in row order, the CSR row ends of a part
// offset by what was listed before it. append(part) appends one and returns how many it held.
template <typename Part, typename Append>
void appendParts(std::vector<Part>& part, std::int64_t rows, std::size_t i0,
                 std::vector<std::int64_t>& rowEnd, std::size_t listed, Append&& append)
{
    const auto parts = std::int64_t(part.size());
    for (std::int64_t p = 0; p < parts; ++p) {
        const auto base = std::int64_t(listed);
        for (auto r = i0 + std::size_t(rows * p / parts);
             r < i0 + std::size_t(rows * (p + 1) / parts); ++r)
            rowEnd[r] += base;
        listed += append(part[std::size_t(p)]);
    }
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

} // namespace

NewtonPlanReader::NewtonPlanReader(CostTiles& cost, const Vec& b, double eps)
    : m_cost(cost), m_logB(b.size()), m_eps(eps)
{
    for (std::size_t j = 0; j < b.size(); ++j)
        m_logB[j] = std::log(b[j]);
}

void NewtonPlanReader::exponents(const Vec& g, Vec& hd, std::vector<float>& hf) const
{
    hd.resize(g.size());
    hf.resize(g.size());
    for (std::size_t j = 0; j < g.size(); ++j) {
        hd[j] = g[j] / m_eps + m_logB[j];
        hf[j] = float(hd[j]);
    }
}

bool NewtonPlanReader::read(const Vec& g, const Vec& a, NewtonPlan& plan,
                            const SinkhornMonitor& monitor)
{
    if (!m_dense && (m_gRef.empty() || spread(g, m_gRef, m_eps) > kWindow - kDropped)) {
        if (!select(g, monitor)) return false;
    }
    if (m_dense) return readDense(g, a, plan, monitor);
    readCandidates(g, a, plan);
    return true;
}

// The lists at g, one pass over the cost; a selection that outgrows kDenseShare and
// kDenseEntries stops and switches the reader to dense passes for good.
bool NewtonPlanReader::select(const Vec& g, const SinkhornMonitor& monitor)
{
    m_gRef = g;
    m_rowEnd.assign(std::size_t(m_cost.rows()), 0);
    m_index.clear();
    m_costs.clear();
    Vec hd;
    std::vector<float> hf;
    exponents(g, hd, hf);
    for (std::int64_t k = 0; k < m_cost.tileCount(); ++k) {
        const auto tile = m_cost.tile(k).contiguous();
        const auto i0 = std::size_t(m_cost.tileBegin(k));
        const auto rows = tile.size(0), cols = tile.size(1);
        auto selectTile = [&](auto* c, const auto& h) {
            using T = std::remove_const_t<std::remove_pointer_t<decltype(c)>>;
            struct Part {
                std::vector<std::int32_t> index;
                std::vector<T> cost;
            };
            std::vector<Part> part(std::size_t(partsOf(tile)));
            fillParts(part, rows, [&](Part& mine, std::int64_t r0, std::int64_t r1) {
                kernels::rowCandidates(c + r0 * cols, r1 - r0, cols, h.data(), T(1.0 / m_eps),
                                       T(kWindow), mine.index, mine.cost,
                                       m_rowEnd.data() + i0 + std::size_t(r0));
            });
            appendParts(part, rows, i0, m_rowEnd, m_index.size(), [&](const Part& mine) {
                m_index.insert(m_index.end(), mine.index.begin(), mine.index.end());
                m_costs.insert(m_costs.end(), mine.cost.begin(), mine.cost.end());
                return mine.index.size();
            });
        };
        if (tile.scalar_type() == torch::kFloat32)
            selectTile(tile.data_ptr<float>(), hf);
        else
            selectTile(tile.data_ptr<double>(), hd);
        if (monitor.stop && monitor.stop()) return false;
        // Judged on the rows read so far, so that a dense plan stops after its first tile.
        const double read = double(m_cost.tileEnd(k)) * double(m_cost.cols());
        if (double(m_index.size()) > std::max(kDenseEntries, kDenseShare * read)) {
            m_dense = true;
            m_gRef.clear();
            m_rowEnd = {};
            m_index = {};
            m_costs = {};
            return true;
        }
    }
    return true;
}

// Exponents and their row maxima in double, the exponentials of the (small, non-positive)
// differences in float by the vectorised kernel. Runs tens of times per problem on lists of a
// few thousand entries: buffers are kept, the row sums use four accumulators (one is bound by
// the addition's latency) and the kept entries are written without branches.
void NewtonPlanReader::readCandidates(const Vec& g, const Vec& a, NewtonPlan& plan)
{
    const auto n = m_rowEnd.size();
    const auto m = g.size();
    const auto listed = m_index.size();
    m_h.resize(m);
    m_x.resize(listed);
    m_e.resize(listed);
    m_rowMax.resize(n);
    for (std::size_t j = 0; j < m; ++j)
        m_h[j] = g[j] / m_eps + m_logB[j];
    const double s = 1.0 / m_eps;
    std::size_t start = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const auto end = std::size_t(m_rowEnd[i]);
        double mx = -std::numeric_limits<double>::infinity();
        for (auto k = start; k < end; ++k) {
            m_x[k] = m_h[std::size_t(m_index[k])] - s * m_costs[k];
            mx = std::max(mx, m_x[k]);
        }
        for (auto k = start; k < end; ++k)
            m_e[k] = float(m_x[k] - mx);
        m_rowMax[i] = mx;
        start = end;
    }
    kernels::expInPlace(m_e.data(), std::int64_t(listed));
    plan.f.resize(n);
    plan.cols.assign(m, 0.0);
    plan.rowEnd.resize(n);
    plan.index.resize(listed);
    plan.pi.resize(listed);
    std::size_t kept = 0;
    start = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const auto end = std::size_t(m_rowEnd[i]);
        double part[4] = {0, 0, 0, 0};
        auto k = start;
        for (; k + 4 <= end; k += 4)
            for (std::size_t u = 0; u < 4; ++u)
                part[u] += double(m_e[k + u]);
        for (; k < end; ++k)
            part[0] += double(m_e[k]);
        const double total = (part[0] + part[1]) + (part[2] + part[3]);
        plan.f[i] = -m_eps * (m_rowMax[i] + std::log(total));
        const double inverse = 1.0 / total;
        for (k = start; k < end; ++k) {
            const double p = double(m_e[k]) * inverse;
            const auto j = m_index[k];
            plan.cols[std::size_t(j)] += a[i] * p;
            plan.index[kept] = j;
            plan.pi[kept] = float(p);
            kept += p > kKeep;
        }
        plan.rowEnd[i] = std::int64_t(kept);
        start = end;
    }
    plan.index.resize(kept);
    plan.pi.resize(kept);
}

bool NewtonPlanReader::readDense(const Vec& g, const Vec& a, NewtonPlan& plan,
                                 const SinkhornMonitor& monitor)
{
    const auto n = std::size_t(m_cost.rows()), m = std::size_t(m_cost.cols());
    Vec lse(n);
    plan.rowEnd.assign(n, 0);
    plan.index.clear();
    plan.pi.clear();
    plan.cols.assign(m, 0.0);
    Vec hd;
    std::vector<float> h;
    exponents(g, hd, h);
    for (std::int64_t k = 0; k < m_cost.tileCount(); ++k) {
        const auto tile = m_cost.tile(k).contiguous();
        const auto i0 = std::size_t(m_cost.tileBegin(k));
        const auto rows = tile.size(0), cols = tile.size(1);
        if (tile.scalar_type() == torch::kFloat32) {
            struct Part {
                std::vector<std::int32_t> index;
                std::vector<float> pi, colSum;
            };
            std::vector<Part> part(std::size_t(partsOf(tile)));
            const float* c = tile.data_ptr<float>();
            fillParts(part, rows, [&](Part& mine, std::int64_t r0, std::int64_t r1) {
                mine.colSum.assign(std::size_t(cols), 0.0f);
                const auto i = i0 + std::size_t(r0);
                kernels::planRows(c + r0 * cols, r1 - r0, cols, h.data(), float(1.0 / m_eps),
                                  a.data() + i, float(kKeep), lse.data() + i, mine.colSum.data(),
                                  mine.index, mine.pi, plan.rowEnd.data() + i);
            });
            appendParts(part, rows, i0, plan.rowEnd, plan.index.size(), [&](const Part& mine) {
                plan.index.insert(plan.index.end(), mine.index.begin(), mine.index.end());
                plan.pi.insert(plan.pi.end(), mine.pi.begin(), mine.pi.end());
                for (std::size_t j = 0; j < m; ++j)
                    plan.cols[j] += double(mine.colSum[j]);
                return mine.index.size();
            });
        } else {
            // Double precision (tests, --float64): exact exponentials and sums.
            const double* c = tile.data_ptr<double>();
            Vec x(m);
            for (std::int64_t r = 0; r < rows; ++r) {
                const auto i = i0 + std::size_t(r);
                double mx = -std::numeric_limits<double>::infinity();
                for (std::size_t j = 0; j < m; ++j) {
                    x[j] = hd[j] - c[std::size_t(r) * m + j] / m_eps;
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
        plan.f[i] = -m_eps * lse[i];
    return true;
}

} // namespace wb::ot
