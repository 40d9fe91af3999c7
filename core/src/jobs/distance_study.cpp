#include "wb/jobs/distance_study.h"

#include "wb/common/atomic_file.h"
#include "wb/common/csv.h"
#include "wb/common/error.h"
#include "wb/common/number_text.h"
#include "wb/jobs/experiment.h"
#include "wb/jobs/zoo_entry.h"
#include "wb/transfer/source_selection.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <map>

namespace fs = std::filesystem;
using nlohmann::json;

namespace wb::jobs {
namespace {

std::string fixed(double v, int digits = 2)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", digits, v);
    return text;
}

std::string interval(const std::optional<std::pair<double, double>>& i)
{
    return i ? "[" + fixed(i->first) + ", " + fixed(i->second) + "]" : "-";
}

json optionalNumber(const std::optional<double>& v)
{
    return v ? json(*v) : json(nullptr);
}

// A cell's stored target on this machine: as stored, else ROOT/FOLDER_NAME under a data root.
std::string localTarget(const std::string& target, const std::vector<std::string>& roots)
{
    std::error_code ec;
    if (roots.empty() || fs::exists(target, ec)) return target;
    for (const auto& root : roots) {
        const auto candidate = fs::path(root) / folderName(target);
        if (fs::exists(candidate, ec)) return candidate.string();
    }
    throw Error("target " + target + " is not at its stored path nor under any --data-root");
}

} // namespace

StudyEmbedder studyEmbedder(const std::string& spec, const transfer::DistanceSettings& base)
{
    StudyEmbedder out{spec, base};
    auto embed = spec;
    const auto at = spec.rfind('@');
    if (at != std::string::npos) {
        const auto sizeText = spec.substr(at + 1);
        std::size_t used = 0;
        int size = 0;
        try {
            size = std::stoi(sizeText, &used);
        } catch (const std::exception&) {
        }
        if (used == 0 || used != sizeText.size() || size < 1 || size > 1024)
            throw Error("--embedder '" + spec + "': the size after '@' must be 1 to 1024");
        embed = spec.substr(0, at);
        out.settings.config.embedder.size = size;
    }
    if (embed.empty()) throw Error("--embedder '" + spec + "': no embedder before '@'");
    out.settings.embed = embed;
    return out;
}

DistanceStudy runDistanceStudy(const std::string& db, std::int64_t experimentId,
                               const StudyOptions& options, RunControl& control,
                               ot::OtObserver& observer)
{
    auto store = store::RunStore::open(db);
    const auto experiment = store.experiment(experimentId);
    const auto spec = ExperimentSpec::fromJson(experiment.specJson);
    std::vector<StudyEmbedder> embedders;
    for (const auto& e : options.embedders)
        embedders.push_back(studyEmbedder(e, spec.distance));
    if (embedders.empty()) embedders.push_back({spec.distance.embed, spec.distance});

    DistanceStudy study;
    study.experimentId = experimentId;
    study.resamples = options.resamples;
    study.seed = options.seed;
    const auto points = transfer::gainPoints(experimentOutcomes(store, experiment));
    if (points.empty())
        throw Error("experiment " + std::to_string(experimentId) +
                    " has no warm arm with a distance and a finished scratch arm of the same "
                    "target and seed (run it with --arms scratch,each-source)");

    // (target folder, source name) -> (stored target, zoo id), from the cells.
    std::map<std::pair<std::string, std::string>, std::pair<std::string, std::int64_t>> pairs;
    for (const auto& c : experiment.cells)
        if (c.zooId) pairs[{folderName(c.target), c.source}] = {c.target, *c.zooId};
    // Every embedder resolved before any distance, so a misspelt one fails at once.
    std::vector<ot::DistanceConfig> configs;
    for (auto& e : embedders) {
        if (options.threads > 0) e.settings.config.threads = options.threads;
        configs.push_back(e.settings.resolve(&store));
        configs.back().device = spec.search.runtime.device; // where the experiment computes
    }
    for (std::size_t k = 0; k < embedders.size(); ++k) {
        transfer::PairDistances distances;
        for (const auto& p : points) {
            const auto key = std::pair{p.target, p.source};
            if (distances.count(key)) continue;
            const auto& [target, zooId] = pairs.at(key);
            auto search = spec.search;
            search.data.path = localTarget(target, options.dataRoots);
            const auto choice = transfer::chooseSource("measured:" + std::to_string(zooId), search,
                                                       store, configs[k], control, observer);
            if (!choice.distance)
                throw Error("no distance from " + p.target + " to zoo entry " +
                            std::to_string(zooId));
            distances[key] = *choice.distance;
        }
        study.embedders.push_back(embedders[k].label);
        study.distances.push_back(std::move(distances));
    }
    study.points = transfer::withDistances(points, study.distances.front());

    const auto& gains = transfer::allGains();
    for (std::size_t k = 0; k < embedders.size(); ++k) {
        const auto withK = transfer::withDistances(points, study.distances[k]);
        for (std::size_t g = 0; g < gains.size(); ++g) {
            StudyRow row;
            row.embedder = study.embedders[k];
            row.gain = gains[g];
            row.perTarget = transfer::targetCorrelations(withK, gains[g]);
            row.statistic = transfer::studyStatistic(row.perTarget, options.resamples, options.seed);
            if (k > 0) // the first embedder's row of this gain
                row.vsFirst = transfer::pairedDifference(study.rows[g].perTarget, row.perTarget,
                                                         options.resamples, options.seed);
            study.rows.push_back(std::move(row));
        }
    }
    return study;
}

std::string studyMarkdown(const DistanceStudy& study)
{
    std::string out =
        "Distance vs gain, experiment " + std::to_string(study.experimentId) +
        ": Spearman's rho between the sources' distances and their gains, per target, averaged "
        "over targets (negative: nearer sources gain more), with a 95% bootstrap interval over "
        "targets (" +
        std::to_string(study.resamples) +
        " resamples); 'nearest best': the share of targets whose nearest source gained most.\n\n"
        "| embedder | gain | targets | mean rho | 95% interval | nearest best | rho - first "
        "embedder's |\n|---|---|---|---|---|---|---|\n";
    for (const auto& r : study.rows) {
        const auto& s = r.statistic;
        out += "| " + r.embedder + " | " + transfer::gainName(r.gain) + " | " +
               (s ? std::to_string(s->targets) : "0") + " | " + (s ? fixed(s->meanRho) : "-") +
               " | " + (s ? interval(std::pair(s->lo, s->hi)) : "-") + " | " +
               (s ? fixed(100 * s->nearestBest, 0) + "%" : "-") + " | " + interval(r.vsFirst) +
               " |\n";
    }
    return out;
}

std::string studyCsv(const DistanceStudy& study)
{
    std::string out = "embedder,gain,targets,mean_rho,lo,hi,nearest_best,vs_first_lo,vs_first_hi\n";
    for (const auto& r : study.rows) {
        const auto& s = r.statistic;
        const auto num = [](bool has, double v) { return has ? shortestText(v) : std::string(); };
        out += csvField(r.embedder) + "," + csvField(transfer::gainName(r.gain)) + "," +
               std::to_string(s ? s->targets : 0) + "," + num(bool(s), s ? s->meanRho : 0) + "," +
               num(bool(s), s ? s->lo : 0) + "," + num(bool(s), s ? s->hi : 0) + "," +
               num(bool(s), s ? s->nearestBest : 0) + "," +
               num(bool(r.vsFirst), r.vsFirst ? r.vsFirst->first : 0) + "," +
               num(bool(r.vsFirst), r.vsFirst ? r.vsFirst->second : 0) + "\n";
    }
    return out;
}

std::string studyJson(const DistanceStudy& study)
{
    auto embedders = json::array();
    for (std::size_t k = 0; k < study.embedders.size(); ++k) {
        auto distances = json::array();
        for (const auto& [key, d] : study.distances[k])
            distances.push_back({{"target", key.first}, {"source", key.second}, {"distance", d}});
        embedders.push_back({{"label", study.embedders[k]}, {"distances", distances}});
    }
    auto rows = json::array();
    for (const auto& r : study.rows) {
        auto perTarget = json::array();
        for (const auto& t : r.perTarget)
            perTarget.push_back({{"target", t.target},
                                 {"sources", t.sources},
                                 {"rho", optionalNumber(t.rho)},
                                 {"nearest_is_best", t.nearestIsBest}});
        json row = {{"embedder", r.embedder},
                    {"gain", transfer::gainName(r.gain)},
                    {"per_target", perTarget}};
        const auto& s = r.statistic;
        row["targets"] = s ? s->targets : 0;
        row["mean_rho"] = s ? json(s->meanRho) : json(nullptr);
        row["interval"] = s ? json::array({s->lo, s->hi}) : json(nullptr);
        row["nearest_best"] = s ? json(s->nearestBest) : json(nullptr);
        row["vs_first"] = r.vsFirst ? json::array({r.vsFirst->first, r.vsFirst->second})
                                    : json(nullptr);
        rows.push_back(row);
    }
    auto points = json::array();
    for (const auto& p : study.points)
        points.push_back({{"target", p.target},
                          {"source", p.source},
                          {"seed", p.seed},
                          {"distance", p.distance},
                          {"speed_up_within_se", p.speedUpWithinSe},
                          {"auc_gain", p.aucGain},
                          {"best_val", p.bestVal},
                          {"test_gain", optionalNumber(p.testGain)}});
    return json{{"experiment_id", study.experimentId},
                {"resamples", study.resamples},
                {"seed", study.seed},
                {"embedders", embedders},
                {"rows", rows},
                {"points", points}}
        .dump(2);
}

void writeDistanceStudy(store::RunStore& db, const DistanceStudy& study, const std::string& outDir)
{
    const auto dir =
        fs::path(outDir.empty() ? db.experiment(study.experimentId).outDir : outDir);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(dir.string() + ": cannot create the folder: " + ec.message());
    writeFileAtomically((dir / "study.md").string(), studyMarkdown(study));
    writeFileAtomically((dir / "study.csv").string(), studyCsv(study));
    writeFileAtomically((dir / "study.json").string(), studyJson(study));
}

} // namespace wb::jobs
