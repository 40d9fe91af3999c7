#pragma once

// The distance-vs-gain study of an experiment (`supernet experiment study`): its each-source
// cells give every (target, source, seed) a measured gain over scratch; each embedder under study
// gives every (target, source) a distance; per embedder and gain measure, the rank correlation
// between the two, averaged over targets with a bootstrap interval, decides which embedder
// predicts the value of a transfer best.

#include "wb/common/run_control.h"
#include "wb/ot/distance.h"
#include "wb/store/run_store.h"
#include "wb/transfer/distance_gain.h"
#include "wb/transfer/distance_settings.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace wb::jobs {

// One embedder of the study: "EMBED[@SIZE]", EMBED as `--embed` takes it (pixels, auto,
// supernet:RUN_OR_CHECKPOINT, torchscript:FILE), SIZE the image size it embeds at (default: the
// experiment's). Everything else is the experiment's distance settings.
struct StudyEmbedder {
    std::string label;
    transfer::DistanceSettings settings;
};
// Throws wb::Error on a malformed size; the embedder itself is checked when the study resolves it.
StudyEmbedder studyEmbedder(const std::string& spec, const transfer::DistanceSettings& base);

struct StudyRow {
    std::string embedder;
    transfer::Gain gain = transfer::Gain::SpeedUpWithinSe;
    std::vector<transfer::TargetCorrelation> perTarget;
    std::optional<transfer::StudyStatistic> statistic;
    // The 95% interval of this embedder's mean rho minus the first embedder's (paired).
    std::optional<std::pair<double, double>> vsFirst;
};

struct DistanceStudy {
    std::int64_t experimentId = 0;
    int resamples = 0;
    std::uint64_t seed = 0;
    std::vector<std::string> embedders;
    std::vector<transfer::PairDistances> distances; // per embedder
    std::vector<transfer::GainPoint> points;        // distances of the first embedder
    std::vector<StudyRow> rows;                     // embedder-major, every gain measure
};

struct StudyOptions {
    std::vector<std::string> embedders; // specs; empty: the experiment's own embedder
    int resamples = 2000;
    std::uint64_t seed = 0;
    int threads = 0; // of the distances; 0: the experiment's setting
    // Where the targets are on this machine when not at their stored paths: ROOT/FOLDER_NAME.
    std::vector<std::string> dataRoots;
};

// Measures (or reads from the workspace's cache) every embedder's distance for every pair with a
// gain, then the statistics. Throws wb::Error when the experiment has no pair to study (it needs
// a finished scratch arm and warm arms with distances), a target is not found or a distance
// fails; a stop request ends with wb::Error("cancelled").
DistanceStudy runDistanceStudy(const std::string& db, std::int64_t experimentId,
                               const StudyOptions& options, RunControl& control,
                               ot::OtObserver& observer);

std::string studyMarkdown(const DistanceStudy& study);
std::string studyCsv(const DistanceStudy& study);
std::string studyJson(const DistanceStudy& study);

// Writes study.md, study.csv and study.json into `outDir` (empty: the experiment's folder).
// Throws wb::Error naming a file it cannot write.
void writeDistanceStudy(store::RunStore& db, const DistanceStudy& study,
                        const std::string& outDir = {});

} // namespace wb::jobs
