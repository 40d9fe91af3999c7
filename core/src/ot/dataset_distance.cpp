#include "wb/ot/distance.h"

#include "common/guarded.h"
#include "common/torch_device.h"
#include "ot/embedder.h"
#include "ot/label_distance.h"
#include "ot/pca.h"
#include "ot/sinkhorn.h"
#include "wb/common/seeded_rng.h"
#include "wb/common/sha256.h"
#include "wb/common/threads.h"
#include "wb/data/fingerprint.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

namespace wb::ot {
namespace {

// One side of the problem: embedded points, compact labels in [0, classes.size()).
struct Side {
    std::string name;
    torch::Tensor x;      // n x d
    torch::Tensor labels; // int64 n
    std::vector<std::string> classes;
};

std::string fixed(double v, int digits = 4)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.*g", digits, v);
    return text;
}

class Reporter {
public:
    Reporter(DistanceResult& result, RunControl& control, OtObserver& observer)
        : m_result(result), m_control(control), m_observer(observer)
    {
    }
    void issue(Severity severity, const std::string& code, const std::string& message)
    {
        Issue i{severity, code, message, 0};
        m_result.issues.push_back(i);
        m_observer.onIssue(i);
    }
    SinkhornMonitor monitor(const std::string& stage)
    {
        m_observer.onProgress(stage, 0.0);
        return {[this] { return m_control.stopRequested(); },
                [this, stage](double fraction) {
                    m_observer.onProgress(stage, fraction);
                    return m_control.checkpoint();
                }};
    }
    bool stopped() const { return m_control.stopRequested(); }

private:
    DistanceResult& m_result;
    RunControl& m_control;
    OtObserver& m_observer;
};

// The sample depends on the seed and the image count only: never on the other dataset, the order
// of the pair or the class names, so S(A,B) = S(B,A) and relabelling keeps the same points.
std::vector<std::int64_t> sampleIndices(const data::Dataset& ds, int maxSamples, std::uint64_t seed)
{
    const auto n = std::int64_t(ds.count());
    std::vector<std::int64_t> all(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i)
        all[std::size_t(i)] = i;
    if (maxSamples <= 0 || n <= maxSamples) return all;
    std::mt19937_64 rng(splitMix64(seed ^ splitMix64(std::uint64_t(n))));
    // Partial Fisher-Yates (the first maxSamples places only).
    for (std::int64_t i = 0; i < maxSamples; ++i) {
        const auto j = i + std::int64_t(uniformBelow(rng, std::uint64_t(n - i)));
        std::swap(all[std::size_t(i)], all[std::size_t(j)]);
    }
    all.resize(std::size_t(maxSamples));
    std::sort(all.begin(), all.end());
    return all;
}

// Keeps the classes that have samples (and, for `minimum` > 1, enough of them), renumbered in
// their original order; drops the samples of the others. The points come out ordered class by
// class (stably): the exact label stage computes every squared distance in that order, and the
// dataset-level problems (whose values do not depend on the points' order) reuse them as they
// are instead of permuting two N x N matrices.
Side compact(Side side, int minimum, Reporter& report)
{
    const auto counts = torch::bincount(side.labels, {}, std::int64_t(side.classes.size()));
    auto c = counts.accessor<std::int64_t, 1>();
    std::vector<std::int64_t> map(side.classes.size(), -1);
    std::vector<std::string> kept;
    for (std::size_t k = 0; k < side.classes.size(); ++k) {
        if (c[std::int64_t(k)] >= minimum) {
            map[k] = std::int64_t(kept.size());
            kept.push_back(side.classes[k]);
        } else if (c[std::int64_t(k)] > 0) {
            report.issue(Severity::Warning, "ot.class_dropped",
                         side.name + ": class '" + side.classes[k] + "' has " +
                             std::to_string(c[std::int64_t(k)]) +
                             " sample(s); the gaussian label distance needs " +
                             std::to_string(minimum) + ", so it is left out");
        }
    }
    const auto mapped = torch::tensor(map, torch::kInt64).index_select(0, side.labels);
    const auto keep = torch::nonzero(mapped.ge(0)).squeeze(1);
    const auto byClass = torch::argsort(mapped.index_select(0, keep), /*stable=*/true, 0);
    const auto order = keep.index_select(0, byClass);
    side.x = side.x.index_select(0, order);
    side.labels = mapped.index_select(0, order);
    side.classes = kept;
    if (side.classes.empty())
        throw Error(side.name + ": no class has enough samples for the gaussian label distance");
    return side;
}

std::vector<float> floats(const torch::Tensor& t)
{
    const auto c = t.to(torch::kFloat32).contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

// Both OT levels on embedded points; fills `r` (status Done or Cancelled).
void solve(Side a, Side b, const DistanceConfig& config, Reporter& report, DistanceResult& r)
{
    torch::NoGradGuard noGrad;
    const int minimum = config.inner == InnerMethod::Gaussian ? 2 : 1;
    a = compact(std::move(a), minimum, report);
    b = compact(std::move(b), minimum, report);
    r.sourceClasses = a.classes;
    r.targetClasses = b.classes;
    r.samplesA = int(a.x.size(0));
    r.samplesB = int(b.x.size(0));
    r.dim = int(a.x.size(1));
    const auto dtype = config.float64 ? torch::kFloat64 : torch::kFloat32;
    const std::int64_t cacheBytes = config.costCacheMb * 1024 * 1024;
    const auto ka = std::int64_t(a.classes.size());
    const auto kb = std::int64_t(b.classes.size());
    const auto xa = a.x.to(dtype);
    const auto xb = b.x.to(dtype);
    const auto la = a.labels;
    const auto lb = b.labels + ka;
    // The dataset-level problems' device (the label stage runs on the CPU).
    const auto device = checkedDevice(config.device);

    LabelDistanceOptions lo;
    lo.method = config.inner;
    lo.sinkhorn = {config.innerEntreg, config.annealFactor, config.tolerance,
                   config.innerMaxIterations, config.overRelaxation};
    lo.dtype = dtype;
    lo.tileRows = config.tileRows;
    lo.cacheBytes = cacheBytes;
    // The dataset-level problems' costs from the label stage's squared distances, where those
    // problems run on the CPU too and the pooled matrix takes at most 1/32 of the cost cache
    // (16 MB by default: up to 2048 points in all, which covers the default 1000 samples a
    // side). It is built class by class (the order of the points here, see compact) and kept
    // beside the tiles the problems cache; at 4000 points that cost 120 MB more peak memory for
    // 3% less time.
    const auto pooled = xa.size(0) + xb.size(0);
    lo.keepSquaredDistances = config.inner == InnerMethod::Exact && device.is_cpu() &&
                              32 * pooled * pooled * xa.element_size() <= cacheBytes;
    const auto labels = labelDistances(torch::cat({xa, xb}), torch::cat({la, lb}), ka + kb, lo,
                                       report.monitor("labels"));
    if (labels.cancelled) {
        r.status = RunStatus::Cancelled;
        return;
    }
    r.labelDistances = floats(labels.w);
    r.labelPairsNotConverged = labels.notConverged;
    if (labels.notConverged > 0)
        report.issue(Severity::Warning, "ot.labels_not_converged",
                     std::to_string(labels.notConverged) +
                         " label-to-label OT problem(s) stopped at " +
                         std::to_string(config.innerMaxIterations) +
                         " iterations above the marginal tolerance " + fixed(config.tolerance));
    const auto labelCost = labels.w * (config.lambdaY / 2.0); // W / p, p = 2

    const SinkhornOptions so{config.entreg, config.annealFactor, config.tolerance,
                             config.maxIterations, config.overRelaxation};
    const auto wa = torch::full({xa.size(0)}, 1.0 / double(xa.size(0)), torch::kFloat64);
    const auto wb = torch::full({xb.size(0)}, 1.0 / double(xb.size(0)), torch::kFloat64);
    // The same points, labels and label geometry on both sides: OT(A,B) is OT(A,A) and the
    // divergence is exactly 0.
    const bool identical = ka == kb && xa.sizes() == xb.sizes() && torch::equal(xa, xb) &&
                           torch::equal(la, b.labels) &&
                           torch::equal(labels.w.slice(0, 0, ka).slice(1, 0, ka),
                                        labels.w.slice(0, ka).slice(1, ka)) &&
                           torch::equal(labels.w.slice(0, 0, ka).slice(1, 0, ka),
                                        labels.w.slice(0, 0, ka).slice(1, ka));

    // Rows and columns of A and B in the label stage's squared distances (A's points first).
    const auto na = xa.size(0);
    const auto squared = [&](bool rowsOfA, bool colsOfA) {
        if (!labels.squared.defined()) return torch::Tensor();
        return labels.squared.slice(0, rowsOfA ? 0 : na, rowsOfA ? na : pooled)
            .slice(1, colsOfA ? 0 : na, colsOfA ? na : pooled);
    };
    auto problem = [&](const torch::Tensor& x, const torch::Tensor& lx, const torch::Tensor& y,
                       const torch::Tensor& ly, const torch::Tensor& known) {
        return CostTiles({x.to(device), y.to(device), config.lambdaX, lx.to(device), ly.to(device),
                          labelCost.to(device), known},
                         dtype, config.tileRows, cacheBytes);
    };
    SinkhornOutcome ab, aa, bb;
    {
        auto cost = problem(xa, la, xb, lb, squared(true, false));
        ab = identical ? sinkhornSymmetric(cost, wa, so, report.monitor("OT(A,B)"))
                       : sinkhorn(cost, wa, wb, so, report.monitor("OT(A,B)"));
        if (ab.cancelled) {
            r.status = RunStatus::Cancelled;
            return;
        }
        // While the cost tiles of (A,B) are still at hand.
        report.monitor("coupling");
        r.coupling = floats(classCoupling(cost, ab, wa, wb, config.entreg, la, ka, b.labels, kb));
    }
    if (config.debiased) {
        if (identical) {
            aa = bb = ab;
        } else {
            {
                auto cost = problem(xa, la, xa, la, squared(true, true));
                aa = sinkhornSymmetric(cost, wa, so, report.monitor("OT(A,A)"));
            }
            if (aa.cancelled) {
                r.status = RunStatus::Cancelled;
                return;
            }
            {
                auto cost = problem(xb, lb, xb, lb, squared(false, false));
                bb = sinkhornSymmetric(cost, wb, so, report.monitor("OT(B,B)"));
            }
            if (bb.cancelled) {
                r.status = RunStatus::Cancelled;
                return;
            }
        }
    }
    r.ab = ab.stats;
    r.aa = aa.stats;
    r.bb = bb.stats;
    r.value =
        config.debiased ? ab.stats.cost - 0.5 * (aa.stats.cost + bb.stats.cost) : ab.stats.cost;
    if (identical && config.debiased) r.value = 0.0;
    r.iterations = ab.stats.iterations;
    r.marginalError = ab.stats.marginalError;
    r.converged = ab.stats.converged;
    const std::pair<const char*, const OtProblemStats*> problems[] = {
        {"OT(A,B)", &r.ab}, {"OT(A,A)", &r.aa}, {"OT(B,B)", &r.bb}};
    for (const auto& [what, p] : problems) {
        if (p->converged || (p != &r.ab && !config.debiased)) continue;
        report.issue(Severity::Warning, "ot.not_converged",
                     std::string(what) + " between " + a.name + " and " + b.name +
                         " stopped after " + std::to_string(p->iterations) +
                         " iterations with marginal error " + fixed(p->marginalError) +
                         " (tolerance " + fixed(config.tolerance) +
                         "); the value may be off: raise the iteration cap or eps");
    }
    r.status = RunStatus::Done;
}

Side sideFromFeatures(const LabelledFeatures& f)
{
    if (f.count() == 0) throw Error(f.name + ": no points");
    if (f.dim < 1 || f.x.size() != f.count() * std::size_t(f.dim))
        throw Error(f.name + ": " + std::to_string(f.x.size()) + " feature values for " +
                    std::to_string(f.count()) + " points of dimension " + std::to_string(f.dim));
    for (int l : f.labels)
        if (l < 0 || std::size_t(l) >= f.classNames.size())
            throw Error(f.name + ": label " + std::to_string(l) + " outside the " +
                        std::to_string(f.classNames.size()) + " class names");
    Side s;
    s.name = f.name;
    s.x = torch::tensor(f.x, torch::kFloat32).view({std::int64_t(f.count()), f.dim});
    s.labels =
        torch::tensor(std::vector<std::int64_t>(f.labels.begin(), f.labels.end()), torch::kInt64);
    s.classes = f.classNames;
    return s;
}

void checkDataset(const DatasetRef& ref)
{
    const auto name = ref.name.empty() ? std::string("dataset") : ref.name;
    if (!ref.data) throw Error(name + ": no dataset loaded");
    const auto& ds = *ref.data;
    const auto where = name + (ds.path.empty() || ds.path == name ? "" : " (" + ds.path + ")");
    if (ds.count() == 0) throw Error(where + ": the dataset has no images");
    if (ds.pixels.size() != ds.count() * ds.imageBytes())
        throw Error(where + ": pixel data does not match the image count and size");
    int used = 0;
    for (int c : ds.classCounts())
        used += c > 0;
    if (used < 2)
        throw Error(where + ": only one class" +
                    (ds.classNames.empty() ? std::string() : " ('" + ds.classNames.front() + "')") +
                    "; a dataset distance compares labelled datasets of at least two classes");
}

// The frame both entry points share: names, wall time, settings checked, and every exception
// turned into status Failed with its message.
template <typename Body>
DistanceResult runDistance(const std::string& nameA, const std::string& nameB,
                           const DistanceConfig& config, RunControl& control, OtObserver& observer,
                           Body&& body)
{
    const auto start = std::chrono::steady_clock::now();
    DistanceResult r;
    r.nameA = nameA;
    r.nameB = nameB;
    Reporter report(r, control, observer);
    const auto error = runGuarded([&] {
        config.validate();
        if (config.threads > 0) setComputeThreads(config.threads);
        checkedDevice(config.device); // before any work: a missing GPU is bad input
        body(report, r);
    });
    if (error) {
        r.status = RunStatus::Failed;
        r.error = *error;
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

// The embedded sample of one dataset: the points both OT levels (and a shared PCA basis) use.
// Undefined x when stopped.
Side embedSide(const DatasetRef& ref, const std::string& fingerprint, const DistanceConfig& config,
               Embedder& embedder, EmbeddingCache* cache,
               const std::function<bool(double)>& progress)
{
    const auto indices = sampleIndices(*ref.data, config.maxSamples, config.seed);
    auto x = embedWithCache(cache, embedder, *ref.data, fingerprint, indices, progress);
    if (!x.defined()) return {};
    std::vector<std::int64_t> labels;
    labels.reserve(indices.size());
    for (auto i : indices)
        labels.push_back(ref.data->labels[std::size_t(i)]);
    return {ref.name, x, torch::tensor(labels, torch::kInt64), ref.data->classNames};
}

torch::Tensor project(const torch::Tensor& x, const PcaBasis& basis)
{
    const auto mean = torch::tensor(basis.mean, torch::kFloat32);
    const auto components =
        torch::tensor(basis.components, torch::kFloat32).view({basis.inputDim, basis.outputDim});
    return (x.to(torch::kFloat32) - mean).mm(components);
}

std::vector<float> floatsOf(const torch::Tensor& t)
{
    const auto c = t.to(torch::kFloat32).contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

} // namespace

std::shared_ptr<const PcaBasis> fitPcaBasis(const std::vector<DatasetRef>& datasets,
                                            const DistanceConfig& config, RunControl& control,
                                            EmbeddingCache* cache)
{
    if (config.embedDim <= 0 || datasets.empty()) return nullptr;
    torch::NoGradGuard noGrad;
    auto embedder = makeEmbedder(config.embedder, checkedDevice(config.device));
    std::vector<torch::Tensor> samples;
    const auto stop = [&control](double) { return !control.stopRequested(); };
    for (const auto& ref : datasets) {
        checkDataset(ref);
        const auto& ds = *ref.data;
        const auto side =
            embedSide(ref, ds.fingerprint.empty() ? data::datasetFingerprint(ds) : ds.fingerprint,
                      config, *embedder, cache, stop);
        if (!side.x.defined()) return nullptr;
        if (!samples.empty() && side.x.size(1) != samples.front().size(1))
            throw Error(config.embedder.name() + " gives " + datasets.front().name + " " +
                        std::to_string(samples.front().size(1)) + "-d features and " + ref.name +
                        " " + std::to_string(side.x.size(1)) + "-d; they must agree");
        samples.push_back(side.x);
    }
    const auto dim = samples.front().size(1);
    if (config.embedDim >= dim) return nullptr;
    const auto [mean, components] = pcaFit(torch::cat(samples), config.embedDim, config.seed);
    auto basis = std::make_shared<PcaBasis>();
    basis->inputDim = int(dim);
    basis->outputDim = config.embedDim;
    basis->mean = floatsOf(mean);
    basis->components = floatsOf(components);
    Sha256 hash;
    hash.update("pca-basis-1");
    hash.update(&basis->inputDim, sizeof basis->inputDim);
    hash.update(&basis->outputDim, sizeof basis->outputDim);
    hash.update(basis->mean.data(), basis->mean.size() * sizeof(float));
    hash.update(basis->components.data(), basis->components.size() * sizeof(float));
    basis->id = hash.hexDigest();
    return basis;
}

DistanceResult computeFeatureDistance(const LabelledFeatures& a, const LabelledFeatures& b,
                                      const DistanceConfig& config, RunControl& control,
                                      OtObserver& observer)
{
    return runDistance(
        a.name, b.name, config, control, observer, [&](Reporter& report, DistanceResult& r) {
            auto sa = sideFromFeatures(a);
            auto sb = sideFromFeatures(b);
            if (a.dim != b.dim)
                throw Error(a.name + " has " + std::to_string(a.dim) + "-d features, " + b.name +
                            " has " + std::to_string(b.dim) + "-d");
            solve(std::move(sa), std::move(sb), config, report, r);
        });
}

DistanceResult computeDistance(const DatasetRef& a, const DatasetRef& b,
                               const DistanceConfig& config, RunControl& control,
                               OtObserver& observer, EmbeddingCache* cache)
{
    return runDistance(
        a.name, b.name, config, control, observer, [&](Reporter& report, DistanceResult& r) {
            checkDataset(a);
            checkDataset(b);
            const auto& da = *a.data;
            const auto& db = *b.data;
            // A dataset built in memory may not carry its fingerprint; the caches need one.
            r.fingerprintA = da.fingerprint.empty() ? data::datasetFingerprint(da) : da.fingerprint;
            r.fingerprintB = db.fingerprint.empty() ? data::datasetFingerprint(db) : db.fingerprint;
            const auto& e = config.embedder;
            if (e.kind == EmbedderConfig::Kind::Pixels) {
                if (e.size == 0 && (da.height != db.height || da.width != db.width))
                    throw Error("pixels embedder: " + a.name + " has " + std::to_string(da.width) +
                                "x" + std::to_string(da.height) + " images, " + b.name + " has " +
                                std::to_string(db.width) + "x" + std::to_string(db.height) +
                                "; pass --embed-size S to resize both to S x S");
                if (e.channels == 0 && da.channels != db.channels)
                    throw Error("pixels embedder: " + a.name + " has " +
                                std::to_string(da.channels) + " channel(s), " + b.name + " has " +
                                std::to_string(db.channels) + "; pass --embed-channels 1 or 3");
            }
            auto embedder = makeEmbedder(e, checkedDevice(config.device));
            auto sa = embedSide(a, r.fingerprintA, config, *embedder, cache,
                                report.monitor("embed A").progress);
            if (!sa.x.defined()) {
                r.status = RunStatus::Cancelled;
                return;
            }
            auto sb = embedSide(b, r.fingerprintB, config, *embedder, cache,
                                report.monitor("embed B").progress);
            if (!sb.x.defined()) {
                r.status = RunStatus::Cancelled;
                return;
            }
            if (sa.x.size(1) != sb.x.size(1))
                throw Error(e.name() + " gives " + a.name + " " + std::to_string(sa.x.size(1)) +
                            "-d features and " + b.name + " " + std::to_string(sb.x.size(1)) +
                            "-d; they must agree (check --embed-size and --embed-channels)");
            if (const auto& basis = config.pcaBasis) {
                if (basis->inputDim != sa.x.size(1))
                    throw Error("the shared PCA basis takes " + std::to_string(basis->inputDim) +
                                "-d features, " + e.name() + " gives " +
                                std::to_string(sa.x.size(1)) + "-d");
                sa.x = project(sa.x, *basis);
                sb.x = project(sb.x, *basis);
            } else if (config.embedDim > 0 && config.embedDim < sa.x.size(1)) {
                // One basis for both sides, fitted on the pooled samples, so distances stay
                // comparable across the pair (a matrix or ranking passes its shared basis).
                const auto na = sa.x.size(0);
                const auto z = pcaProject(torch::cat({sa.x, sb.x}), config.embedDim, config.seed);
                sa.x = z.slice(0, 0, na);
                sb.x = z.slice(0, na);
            }
            solve(std::move(sa), std::move(sb), config, report, r);
        });
}

} // namespace wb::ot
