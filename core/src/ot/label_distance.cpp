#include "ot/label_distance.h"

#include <ATen/Parallel.h>

#include <atomic>
#include <vector>

namespace wb::ot {
namespace {

// Symmetric square root of a PSD matrix (negative eigenvalues from rounding clipped to 0).
torch::Tensor sqrtPsd(const torch::Tensor& s)
{
    auto [values, vectors] = torch::linalg_eigh(s, "L");
    return vectors.mm(torch::diag(values.clamp_min(0).sqrt())).mm(vectors.t());
}

// sum of singular values of m, from the eigenvalues of the smaller Gram matrix.
double nuclearNorm(const torch::Tensor& m)
{
    const auto gram = m.size(0) <= m.size(1) ? m.mm(m.t()) : m.t().mm(m);
    return torch::linalg_eigvalsh(gram, "L").clamp_min(0).sqrt().sum().item<double>();
}

struct GaussianFactor {
    torch::Tensor mean;      // d
    torch::Tensor root;      // d x r with root root^T = covariance
    torch::Tensor rootTFast; // root^T as a float32 oneDNN tensor (fast mode only)
    double trace = 0;
};

// root_a^T root_b (r_a x r_b, double). Fast mode multiplies in float32 through oneDNN (the
// reference BLAS of Debian's LibTorch is 35x slower); the singular values then move by about
// 1e-7 of the largest, which leaves W within about 1e-5 relative. The Gram matrix and its
// eigenvalues stay in double: squaring in float32 would spoil the small singular values.
torch::Tensor crossProduct(const GaussianFactor& a, const GaussianFactor& b)
{
    if (a.rootTFast.defined() && b.rootTFast.defined())
        return at::mkldnn_linear(a.rootTFast, b.rootTFast, {}).to_dense().to(torch::kFloat64);
    return a.root.t().mm(b.root);
}

GaussianFactor gaussianFactor(const torch::Tensor& samples)
{
    const auto n = samples.size(0);
    const auto d = samples.size(1);
    GaussianFactor g;
    g.mean = samples.mean(0);
    const auto centred = samples - g.mean;
    const double scale = 1.0 / std::sqrt(double(n - 1));
    g.trace = centred.square().sum().item<double>() / double(n - 1);
    if (n <= d)
        g.root = centred.t() * scale;
    else
        g.root = sqrtPsd(centred.t().mm(centred) / double(n - 1));
    return g;
}

// rep[c] = the first class whose sample set equals c's. Identical sets (the same dataset under
// two names) are computed once, in one order, so identical inputs give bit-identical blocks.
std::vector<std::int64_t> representatives(const std::vector<torch::Tensor>& sets)
{
    std::vector<std::int64_t> rep(sets.size());
    for (std::size_t c = 0; c < sets.size(); ++c) {
        rep[c] = std::int64_t(c);
        for (std::size_t p = 0; p < c; ++p)
            if (rep[p] == std::int64_t(p) && sets[p].sizes() == sets[c].sizes() &&
                torch::equal(sets[p], sets[c])) {
                rep[c] = std::int64_t(p);
                break;
            }
    }
    return rep;
}

// Fills w[i][j] for every pair from the representatives' pairs (ri <= rj), computing each once.
// Row by row: prepare(i) on the calling thread, then the row's pairs up to one per intra-op
// thread, each solved serially on its thread as at one thread (ATen runs nested parallel loops
// inline), which keeps threads busy on problems too small to split well. Progress is reported
// from the calling thread.
template <class Prepare, class Pair>
bool fillByRepresentatives(torch::Tensor& w, const std::vector<std::int64_t>& rep,
                           const SinkhornMonitor& monitor, Prepare&& prepare, Pair&& pair)
{
    const auto k = std::int64_t(rep.size());
    auto a = w.accessor<double, 2>();
    std::size_t total = 0, done = 0;
    for (std::int64_t i = 0; i < k; ++i)
        for (std::int64_t j = i; j < k; ++j)
            total += rep[std::size_t(i)] == i && rep[std::size_t(j)] == j;
    const std::int64_t threads = std::max(1, at::get_num_threads());
    for (std::int64_t i = 0; i < k; ++i) {
        if (rep[std::size_t(i)] != i) continue;
        std::vector<std::int64_t> cols;
        for (std::int64_t j = i; j < k; ++j)
            if (rep[std::size_t(j)] == j) cols.push_back(j);
        prepare(i);
        for (std::size_t c0 = 0; c0 < cols.size(); c0 += std::size_t(threads)) {
            const auto c1 = std::min(cols.size(), c0 + std::size_t(threads));
            std::vector<double> values(c1 - c0, 0.0);
            std::atomic<bool> stopped{false};
            at::parallel_for(0, std::int64_t(c1 - c0), 1, [&](std::int64_t b, std::int64_t e) {
                for (auto t = b; t < e && !stopped; ++t)
                    if (!pair(i, cols[c0 + std::size_t(t)], values[std::size_t(t)])) stopped = true;
            });
            if (stopped) return false;
            for (auto c = c0; c < c1; ++c)
                a[i][cols[c]] = a[cols[c]][i] = values[c - c0];
            done += c1 - c0;
            if (monitor.progress && !monitor.progress(double(done) / double(total))) return false;
        }
    }
    for (std::int64_t i = 0; i < k; ++i)
        for (std::int64_t j = 0; j < k; ++j) {
            const auto ri = rep[std::size_t(i)], rj = rep[std::size_t(j)];
            a[i][j] = a[std::min(ri, rj)][std::max(ri, rj)];
        }
    return true;
}

LabelDistanceOutcome gaussianDistances(const torch::Tensor& x, const torch::Tensor& labels,
                                       std::int64_t classes, bool fast,
                                       const SinkhornMonitor& monitor)
{
    LabelDistanceOutcome out;
    const auto xd = x.to(torch::kFloat64);
    std::vector<torch::Tensor> sets;
    for (std::int64_t c = 0; c < classes; ++c)
        sets.push_back(xd.index({labels == c}));
    const auto rep = representatives(sets);
    std::vector<GaussianFactor> factors(sets.size());
    for (std::size_t c = 0; c < sets.size(); ++c) {
        if (rep[c] == std::int64_t(c)) {
            factors[c] = gaussianFactor(sets[c]);
            if (fast && at::hasMKLDNN())
                factors[c].rootTFast =
                    factors[c].root.t().to(torch::kFloat32).contiguous().to_mkldnn();
        }
        if (monitor.stop && monitor.stop()) {
            out.cancelled = true;
            return out;
        }
    }
    out.w = torch::zeros({classes, classes}, torch::kFloat64);
    const bool done = fillByRepresentatives(
        out.w, rep, monitor, [](std::int64_t) {},
        [&](std::int64_t i, std::int64_t j, double& value) {
            if (i == j) {
                value = 0.0; // W2 of a Gaussian with itself
                return true;
            }
            const auto& a = factors[std::size_t(i)];
            const auto& b = factors[std::size_t(j)];
            const double cross = nuclearNorm(crossProduct(a, b));
            const double means = (a.mean - b.mean).square().sum().item<double>();
            value = std::max(0.0, means + a.trace + b.trace - 2.0 * cross);
            return true;
        });
    out.cancelled = !done;
    return out;
}

// Squared distances ||x - x'||^2 between a class and the pooled points of the classes from it
// on (classes stored one after another): every class-pair cost block (i <= j) is a slice of one
// product per class. The centring on the pooled mean (which keeps the norms small) and the
// norms are computed once for all classes.
class ClassRows {
public:
    ClassRows(const std::vector<torch::Tensor>& sets, torch::ScalarType dtype) : m_offset{0}
    {
        auto pooled = torch::cat(sets).to(torch::kFloat64);
        pooled -= pooled.mean(0, true);
        m_norms = pooled.square().sum(1).to(dtype);
        m_points = pooled.to(dtype).contiguous();
        for (const auto& set : sets)
            m_offset.push_back(m_offset.back() + set.size(0));
    }

    // Computes class i's rows (replacing the previous class's); with `all` defined (N x N, the
    // points ordered class by class), also copies them and their mirror there.
    void compute(std::int64_t i, const torch::Tensor& all)
    {
        const auto from = m_offset[std::size_t(i)];
        const auto a = m_points.slice(0, from, m_offset[std::size_t(i) + 1]);
        const auto y = m_points.slice(0, from);
        // float32 products through oneDNN (Debian's LibTorch has only the reference BLAS), as in
        // CostTiles.
        const auto product = a.scalar_type() == torch::kFloat32 && at::hasMKLDNN()
                                 ? at::mkldnn_linear(a.to_mkldnn(), y.to_mkldnn(), {}).to_dense()
                                 : a.mm(y.t());
        m_rows = product.mul_(-2.0)
                     .add_(m_norms.slice(0, from, m_offset[std::size_t(i) + 1]).unsqueeze(1))
                     .add_(m_norms.slice(0, from).unsqueeze(0))
                     .clamp_min_(0.0); // rounding can leave -1e-6 where two points coincide
        if (all.defined()) {
            const auto to = m_offset[std::size_t(i) + 1];
            all.slice(0, from, to).slice(1, from).copy_(m_rows);
            all.slice(0, from).slice(1, from, to).copy_(m_rows.t());
        }
    }

    // Class i against class j >= i: a view of the block of class i's rows, computed last.
    torch::Tensor block(std::int64_t i, std::int64_t j) const
    {
        const auto from = m_offset[std::size_t(i)];
        return m_rows.slice(1, m_offset[std::size_t(j)] - from,
                            m_offset[std::size_t(j) + 1] - from);
    }

private:
    torch::Tensor m_points, m_norms, m_rows;
    std::vector<std::int64_t> m_offset;
};

LabelDistanceOutcome exactDistances(const torch::Tensor& x, const torch::Tensor& labels,
                                    std::int64_t classes, const LabelDistanceOptions& o,
                                    const SinkhornMonitor& monitor)
{
    LabelDistanceOutcome out;
    std::vector<torch::Tensor> sets, members;
    for (std::int64_t c = 0; c < classes; ++c) {
        members.push_back(torch::nonzero(labels == c).squeeze(1));
        sets.push_back(x.index_select(0, members.back()));
    }
    const auto rep = representatives(sets);
    out.w = torch::zeros({classes, classes}, torch::kFloat64);
    // The full squared distance ||x - x'||^2 (the reference library's label routine), not the
    // halved point cost of the outer problem.
    ClassRows distances(sets, o.dtype);
    bool everyClass = true;
    for (std::int64_t c = 0; c < classes; ++c)
        everyClass = everyClass && rep[std::size_t(c)] == c;
    torch::Tensor byClass; // the squared distances, points ordered class by class
    if (o.keepSquaredDistances && everyClass)
        byClass = torch::empty({x.size(0), x.size(0)}, torch::TensorOptions(o.dtype));
    // The inner problems report no progress of their own, only whether to stop.
    const SinkhornMonitor inner{monitor.stop, {}};
    std::atomic<int> notConverged{0};
    const bool done = fillByRepresentatives(
        out.w, rep, monitor, [&](std::int64_t i) { distances.compute(i, byClass); },
        [&](std::int64_t i, std::int64_t j, double& value) {
            CostTiles cost(distances.block(i, j));
            const auto na = sets[std::size_t(i)].size(0), nb = sets[std::size_t(j)].size(0);
            const auto wa = torch::full({na}, 1.0 / double(na), torch::kFloat64);
            const auto wb = torch::full({nb}, 1.0 / double(nb), torch::kFloat64);
            const auto solved = i == j ? sinkhornSymmetric(cost, wa, o.sinkhorn, inner)
                                       : sinkhorn(cost, wa, wb, o.sinkhorn, inner);
            if (solved.cancelled) return false;
            if (!solved.stats.converged) ++notConverged;
            value = solved.stats.cost;
            return true;
        });
    if (byClass.defined() && done) {
        // Back to the order of x: position of each point among the class-ordered ones (none
        // needed when x comes ordered by class, as the dataset distance passes it).
        const auto position = torch::argsort(torch::cat(members));
        out.squared = torch::equal(position, torch::arange(x.size(0)))
                          ? byClass
                          : byClass.index_select(0, position).index_select(1, position);
    }
    out.notConverged = notConverged;
    out.cancelled = !done;
    return out;
}

} // namespace

LabelDistanceOutcome labelDistances(const torch::Tensor& x, const torch::Tensor& labels,
                                    std::int64_t classes, const LabelDistanceOptions& options,
                                    const SinkhornMonitor& monitor)
{
    torch::NoGradGuard noGrad;
    const auto l = labels.to(torch::kInt64);
    return options.method == InnerMethod::Gaussian
               ? gaussianDistances(x, l, classes, options.dtype == torch::kFloat32, monitor)
               : exactDistances(x, l, classes, options, monitor);
}

double gaussianW2Eigen(const torch::Tensor& mu1, const torch::Tensor& cov1,
                       const torch::Tensor& mu2, const torch::Tensor& cov2)
{
    torch::NoGradGuard noGrad;
    const auto s1 = cov1.to(torch::kFloat64);
    const auto s2 = cov2.to(torch::kFloat64);
    const auto r1 = sqrtPsd(s1);
    const auto cross = sqrtPsd(r1.mm(s2).mm(r1));
    return (mu1 - mu2).to(torch::kFloat64).square().sum().item<double>() +
           (s1.trace() + s2.trace() - 2.0 * cross.trace()).item<double>();
}

} // namespace wb::ot
