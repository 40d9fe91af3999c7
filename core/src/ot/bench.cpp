#include "wb/ot/bench.h"

#include "wb/common/error.h"
#include "wb/common/threads.h"
#include "wb/data/dataset.h"

#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>

namespace wb::ot {
namespace {

double peakRssMb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0; // Linux reports kilobytes
}

// Scale of Fashion-MNIST pixels in [0, 1] (measured): total within-class variance about 40,
// total variance of the class centres about 28, whatever the dimension, so the cost / eps ratio
// (which sets the Sinkhorn iteration count) is that of real image data.
constexpr double kWithinVariance = 40.0;
constexpr double kCentreVariance = 28.0;

LabelledFeatures synthetic(const std::string& name, int n, int dim, int classes,
                           std::mt19937_64& rng)
{
    std::normal_distribution<double> centre(0.0, std::sqrt(kCentreVariance / dim));
    std::normal_distribution<double> noise(0.0, std::sqrt(kWithinVariance / dim));
    std::vector<double> centres(std::size_t(classes) * std::size_t(dim));
    for (auto& c : centres)
        c = 0.5 + centre(rng);
    LabelledFeatures f;
    f.name = name;
    f.dim = dim;
    f.x.resize(std::size_t(n) * std::size_t(dim));
    for (int c = 0; c < classes; ++c)
        f.classNames.push_back(name + std::to_string(c));
    for (int i = 0; i < n; ++i) {
        const int label = i % classes;
        f.labels.push_back(label);
        for (int k = 0; k < dim; ++k)
            f.x[std::size_t(i) * std::size_t(dim) + std::size_t(k)] =
                float(centres[std::size_t(label) * std::size_t(dim) + std::size_t(k)] + noise(rng));
    }
    return f;
}

// Wall time of the label stage, from the observer's stage changes.
class StageClock : public OtObserver {
public:
    void onProgress(const std::string& stage, double) override
    {
        const auto now = std::chrono::steady_clock::now();
        if (stage == "labels" && !m_inLabels) {
            m_inLabels = true;
            m_start = now;
        } else if (stage != "labels" && m_inLabels) {
            m_inLabels = false;
            labelSeconds += std::chrono::duration<double>(now - m_start).count();
        }
    }
    double labelSeconds = 0;

private:
    bool m_inLabels = false;
    std::chrono::steady_clock::time_point m_start;
};

// One distance under the bench's OT settings, timed: `compute(settings, control, clock)`.
template <typename Compute>
DistanceBenchResult timed(const DistanceBenchConfig& config, Compute&& compute)
{
    DistanceBenchResult result;
    result.threads = setComputeThreads(config.threads);
    auto dc = config.distance;
    dc.inner = config.inner;
    dc.seed = config.seed;
    dc.threads = 0;
    RunControl control;
    StageClock clock;
    result.distance = compute(dc, control, clock);
    result.seconds = result.distance.seconds;
    result.labelSeconds = clock.labelSeconds;
    result.peakRssMb = peakRssMb();
    return result;
}

DistanceBenchResult benchFashionMnist(const DistanceBenchConfig& config)
{
    const auto dir = std::filesystem::path(config.fashionMnistDir);
    auto load = [&](const char* file) {
        auto ds = std::make_shared<data::Dataset>(data::loadDataset((dir / file).string()));
        return DatasetRef{file, std::move(ds)};
    };
    const auto train = load("train-images-idx3-ubyte.gz");
    const auto test = load("t10k-images-idx3-ubyte.gz");
    return timed(config, [&](const DistanceConfig& dc, RunControl& control, StageClock& clock) {
        return computeDistance(train, test, dc, control, clock);
    });
}

} // namespace

std::string DistanceBenchResult::toJson() const
{
    return nlohmann::json{{"seconds", seconds},
                          {"label_seconds", labelSeconds},
                          {"peak_rss_mb", peakRssMb},
                          {"threads", threads},
                          {"value", distance.value},
                          {"iterations", distance.iterations},
                          {"iterations_aa", distance.aa.iterations},
                          {"iterations_bb", distance.bb.iterations},
                          {"label_pairs_not_converged", distance.labelPairsNotConverged},
                          {"marginal_error", distance.marginalError},
                          {"converged", distance.converged},
                          {"status", statusName(distance.status)},
                          {"error", distance.error}}
        .dump();
}

DistanceBenchResult benchDistance(const DistanceBenchConfig& config)
{
    if (!config.fashionMnistDir.empty()) return benchFashionMnist(config);
    if (config.n < 2 || config.dim < 1 || config.classes < 2 || config.classes > config.n)
        throw Error("bench distance: n >= 2, dim >= 1 and 2 <= classes <= n needed");
    std::mt19937_64 rng(config.seed);
    // Two datasets with their own classes (like Fashion-MNIST tops vs shoes).
    const auto a = synthetic("a", config.n, config.dim, config.classes, rng);
    const auto b = synthetic("b", config.n, config.dim, config.classes, rng);
    return timed(config, [&](const DistanceConfig& dc, RunControl& control, StageClock& clock) {
        return computeFeatureDistance(a, b, dc, control, clock);
    });
}

} // namespace wb::ot
