#include "wb/transfer/distance_gain.h"

#include "wb/transfer/speedup.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace wb::transfer {
namespace {

double best(const std::vector<double>& curve)
{
    return curve.empty() ? 0 : *std::max_element(curve.begin(), curve.end());
}

// 1-based ranks, ties sharing their average rank.
std::vector<double> ranks(const std::vector<double>& v)
{
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]])
            ++j;
        const double average = (double(i) + double(j)) / 2 + 1;
        for (std::size_t k = i; k <= j; ++k)
            r[order[k]] = average;
        i = j + 1;
    }
    return r;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y)
{
    const double n = double(x.size());
    const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
    const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / std::sqrt(sxx * syy);
}

bool constant(const std::vector<double>& v)
{
    return std::adjacent_find(v.begin(), v.end(), std::not_equal_to<>()) == v.end();
}

double percentile(std::vector<double> v, double q)
{
    std::sort(v.begin(), v.end());
    const double at = q * double(v.size() - 1);
    const auto i = std::size_t(at);
    const double frac = at - double(i);
    return i + 1 < v.size() ? v[i] * (1 - frac) + v[i + 1] * frac : v[i];
}

// The bootstrap distribution of the mean of `values` (resampled with replacement).
std::vector<double> bootstrapMeans(const std::vector<double>& values, int resamples,
                                   std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::size_t> pick(0, values.size() - 1);
    std::vector<double> means;
    for (int b = 0; b < resamples; ++b) {
        double sum = 0;
        for (std::size_t i = 0; i < values.size(); ++i)
            sum += values[pick(rng)];
        means.push_back(sum / double(values.size()));
    }
    return means;
}

} // namespace

const char* gainName(Gain g)
{
    switch (g) {
    case Gain::SpeedUpWithinSe: return "speed-up within 1 SE";
    case Gain::AucGain: return "AUC gain";
    case Gain::BestVal: return "best val accuracy";
    case Gain::TestGain: return "test accuracy gain";
    }
    return "?";
}

const std::vector<Gain>& allGains()
{
    static const std::vector<Gain> all = {Gain::SpeedUpWithinSe, Gain::AucGain, Gain::BestVal,
                                          Gain::TestGain};
    return all;
}

std::optional<double> GainPoint::value(Gain g) const
{
    switch (g) {
    case Gain::SpeedUpWithinSe: return speedUpWithinSe;
    case Gain::AucGain: return aucGain;
    case Gain::BestVal: return bestVal;
    case Gain::TestGain: return testGain;
    }
    return std::nullopt;
}

std::vector<GainPoint> gainPoints(const std::vector<ArmOutcome>& outcomes)
{
    const bool eachSource = std::any_of(outcomes.begin(), outcomes.end(),
                                        [](const auto& o) { return o.arm.starts_with("source:"); });
    std::vector<GainPoint> out;
    for (const auto& warm : outcomes) {
        if (warm.arm == "scratch" || !warm.error.empty() || !warm.distance ||
            warm.valCurve.empty() || (eachSource && !warm.arm.starts_with("source:")))
            continue;
        const auto scratch = std::find_if(outcomes.begin(), outcomes.end(), [&](const auto& o) {
            return o.arm == "scratch" && o.target == warm.target && o.seed == warm.seed &&
                   o.error.empty() && !o.valCurve.empty();
        });
        if (scratch == outcomes.end()) continue;
        GainPoint p;
        p.target = warm.target;
        p.source = warm.source;
        p.seed = warm.seed;
        p.distance = *warm.distance;
        const double se = binomialStandardError(best(scratch->valCurve), scratch->valImages);
        p.speedUpWithinSe = speedUp(scratch->valCurve, warm.valCurve, se).factor.value_or(0);
        p.aucGain = aucGain(scratch->valCurve, warm.valCurve);
        p.bestVal = best(warm.valCurve);
        if (warm.testAcc && scratch->testAcc) p.testGain = *warm.testAcc - *scratch->testAcc;
        out.push_back(p);
    }
    return out;
}

std::optional<double> spearman(const std::vector<double>& x, const std::vector<double>& y)
{
    if (x.size() != y.size() || x.size() < 3 || constant(x) || constant(y)) return std::nullopt;
    return pearson(ranks(x), ranks(y));
}

std::optional<LineFit> fitLine(const std::vector<double>& x, const std::vector<double>& y)
{
    if (x.size() != y.size() || x.size() < 2 || constant(x)) return std::nullopt;
    const double n = double(x.size());
    const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
    const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
    }
    const double slope = sxy / sxx;
    return LineFit{my - slope * mx, slope};
}

std::vector<GainPoint> withDistances(std::vector<GainPoint> points, const PairDistances& d)
{
    std::erase_if(points, [&](const GainPoint& p) { return !d.count({p.target, p.source}); });
    for (auto& p : points)
        p.distance = d.at({p.target, p.source});
    return points;
}

std::vector<TargetCorrelation> targetCorrelations(const std::vector<GainPoint>& points, Gain g)
{
    // target -> source -> (distance, gains over seeds)
    std::map<std::string, std::map<std::string, std::pair<double, std::vector<double>>>> byTarget;
    for (const auto& p : points)
        if (const auto v = p.value(g)) {
            auto& s = byTarget[p.target][p.source];
            s.first = p.distance;
            s.second.push_back(*v);
        }
    std::vector<TargetCorrelation> out;
    for (const auto& [target, sources] : byTarget) {
        std::vector<double> distance, gain;
        for (const auto& [name, s] : sources) {
            distance.push_back(s.first);
            gain.push_back(stat(s.second).mean);
        }
        TargetCorrelation t;
        t.target = target;
        t.sources = int(sources.size());
        t.rho = spearman(distance, gain);
        const auto nearest = std::min_element(distance.begin(), distance.end()) - distance.begin();
        t.nearestIsBest = gain[std::size_t(nearest)] == *std::max_element(gain.begin(), gain.end());
        out.push_back(t);
    }
    return out;
}

std::optional<StudyStatistic> studyStatistic(const std::vector<TargetCorrelation>& perTarget,
                                             int resamples, std::uint64_t seed)
{
    std::vector<double> rhos;
    int nearest = 0;
    for (const auto& t : perTarget)
        if (t.rho) {
            rhos.push_back(*t.rho);
            nearest += t.nearestIsBest;
        }
    if (rhos.empty()) return std::nullopt;
    StudyStatistic s;
    s.targets = int(rhos.size());
    s.meanRho = stat(rhos).mean;
    s.nearestBest = double(nearest) / double(rhos.size());
    const auto means = bootstrapMeans(rhos, std::max(resamples, 1), seed);
    s.lo = percentile(means, 0.025);
    s.hi = percentile(means, 0.975);
    return s;
}

std::optional<std::pair<double, double>>
pairedDifference(const std::vector<TargetCorrelation>& a, const std::vector<TargetCorrelation>& b,
                 int resamples, std::uint64_t seed)
{
    std::vector<double> differences;
    for (const auto& x : a)
        for (const auto& y : b)
            if (x.target == y.target && x.rho && y.rho) differences.push_back(*y.rho - *x.rho);
    if (differences.size() < 2) return std::nullopt;
    const auto means = bootstrapMeans(differences, std::max(resamples, 1), seed);
    return std::pair(percentile(means, 0.025), percentile(means, 0.975));
}

} // namespace wb::transfer
