#pragma once

// Does the dataset distance predict the gain of a warm start? The (target, source, seed) points
// of an experiment, and the statistics of the leave-one-out study: per target, the rank
// correlation between the sources' distances and their gains, averaged over targets with a
// bootstrap interval over targets. A good distance has a strongly negative correlation (the
// nearer the source, the larger the gain).

#include "wb/transfer/experiment_report.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace wb::transfer {

// What a warm start gained over the same target and seed searched from scratch.
enum class Gain {
    SpeedUpWithinSe, // speed-up to scratch's best within one standard error; 0 = not reached
    AucGain,         // mean val accuracy gain over the budget
    BestVal,         // the warm arm's best supernet val accuracy
    TestGain,        // retrained test accuracy, warm minus scratch
};
const char* gainName(Gain g); // "speed-up within 1 SE", ...
const std::vector<Gain>& allGains();

struct GainPoint {
    std::string target, source; // the target's folder name, the zoo entry's name
    std::uint64_t seed = 0;
    double distance = 0;
    double speedUpWithinSe = 0; // 0: not reached
    double aucGain = 0;
    double bestVal = 0;
    std::optional<double> testGain; // both arms retrained
    std::optional<double> value(Gain g) const;
};

// One point per warm arm with a measured distance and a finished scratch arm of the same target
// and seed. An experiment with each-source arms ("source:ID") yields only those: its ot and
// random arms repeat one of them.
std::vector<GainPoint> gainPoints(const std::vector<ArmOutcome>& outcomes);

// Spearman's rank correlation (ties take their average rank); empty with fewer than 3 pairs or
// when either side is constant.
std::optional<double> spearman(const std::vector<double>& x, const std::vector<double>& y);

// The least-squares line y = intercept + slope x; empty with fewer than 2 distinct x.
struct LineFit {
    double intercept = 0;
    double slope = 0;
};
std::optional<LineFit> fitLine(const std::vector<double>& x, const std::vector<double>& y);

// The points' distances replaced by another embedder's, keyed by (target, source).
using PairDistances = std::map<std::pair<std::string, std::string>, double>;
std::vector<GainPoint> withDistances(std::vector<GainPoint> points, const PairDistances& d);

// Per target: the sources' gains averaged over seeds, ranked against their distances.
struct TargetCorrelation {
    std::string target;
    int sources = 0;
    std::optional<double> rho;    // empty: fewer than 3 sources or a constant side
    bool nearestIsBest = false;   // the nearest source has the largest mean gain (ties count)
};
std::vector<TargetCorrelation> targetCorrelations(const std::vector<GainPoint>& points, Gain g);

// The mean of the per-target correlations over the targets that have one, with a percentile
// bootstrap interval (resampling targets with replacement, `resamples` times, seeded).
struct StudyStatistic {
    int targets = 0;      // targets with a correlation
    double meanRho = 0;
    double lo = 0, hi = 0; // 95% interval
    double nearestBest = 0; // fraction of those targets whose nearest source gained most
};
std::optional<StudyStatistic> studyStatistic(const std::vector<TargetCorrelation>& perTarget,
                                             int resamples, std::uint64_t seed);

// The 95% bootstrap interval of mean rho(b) - mean rho(a) over the targets both have (paired:
// one resample of targets for both). Empty with fewer than 2 such targets.
std::optional<std::pair<double, double>>
pairedDifference(const std::vector<TargetCorrelation>& a, const std::vector<TargetCorrelation>& b,
                 int resamples, std::uint64_t seed);

} // namespace wb::transfer
