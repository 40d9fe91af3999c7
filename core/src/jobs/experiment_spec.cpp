#include "wb/common/error.h"
#include "wb/jobs/experiment.h"
#include "wb/transfer/source_selection.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

namespace fs = std::filesystem;
using nlohmann::json;

namespace wb::jobs {

const std::vector<std::string>& experimentArms()
{
    static const std::vector<std::string> arms = {"scratch", "ot", "random", "multi"};
    return arms;
}

std::string ExperimentSpec::toJson() const
{
    const auto& d = distance;
    return json{{"targets", targets},
                {"arms", arms},
                {"seeds", seeds},
                {"epochs", search.epochs},
                {"retrain_epochs", retrainEpochs},
                {"retrain_channels", retrainChannels},
                {"retrain_layers", retrainLayers},
                {"multi", multi},
                {"search", json::parse(search.toJson())},
                {"distance",
                 {{"embed", d.embed},
                  {"embed_size", d.config.embedder.size},
                  {"embed_dim", d.config.embedDim},
                  {"inner", d.inner},
                  {"maxsamples", d.config.maxSamples},
                  {"entreg", d.config.entreg}}}}
        .dump();
}

ExperimentSpec ExperimentSpec::fromJson(const std::string& text)
{
    ExperimentSpec s;
    try {
        const auto j = json::parse(text);
        j.at("targets").get_to(s.targets);
        j.at("arms").get_to(s.arms);
        j.at("seeds").get_to(s.seeds);
        j.at("retrain_epochs").get_to(s.retrainEpochs);
        j.at("retrain_channels").get_to(s.retrainChannels);
        j.at("retrain_layers").get_to(s.retrainLayers);
        j.at("multi").get_to(s.multi);
        s.search = darts::SearchConfig::fromJson(j.at("search").dump());
        const auto& d = j.at("distance");
        d.at("embed").get_to(s.distance.embed);
        d.at("embed_size").get_to(s.distance.config.embedder.size);
        d.at("embed_dim").get_to(s.distance.config.embedDim);
        d.at("inner").get_to(s.distance.inner);
        d.at("maxsamples").get_to(s.distance.config.maxSamples);
        d.at("entreg").get_to(s.distance.config.entreg);
    } catch (const json::exception& e) {
        throw Error(std::string("experiment spec: ") + e.what());
    }
    return s;
}

void ExperimentSpec::validate() const
{
    if (targets.empty()) throw Error("--targets: give at least one dataset");
    if (seeds.empty()) throw Error("--seeds: give at least one seed");
    if (arms.empty()) throw Error("--arms: give at least one arm");
    for (const auto& a : arms)
        if (a != "each-source" && std::find(experimentArms().begin(), experimentArms().end(), a) ==
                                      experimentArms().end())
            throw Error("--arms: unknown arm '" + a +
                        "' (scratch, ot, random, multi, each-source)");
    if (retrainEpochs < 0) throw Error("--retrain-epochs: must be >= 0");
    if (retrainChannels < 1) throw Error("--retrain-channels: must be >= 1");
    if (retrainLayers < 1) throw Error("--retrain-layers: must be >= 1");
    for (const auto& t : targets) {
        std::error_code ec;
        if (!fs::exists(t, ec)) throw Error("--targets: " + t + ": no such dataset");
    }
    search.validate();
}

std::string ExperimentSpec::identity() const
{
    auto j = json::parse(toJson());
    j["search"]["runtime"].erase("threads");
    return j.dump();
}

std::vector<std::string> expandArms(const ExperimentSpec& spec, store::RunStore& db,
                                    const std::string& target)
{
    auto data = spec.search.data;
    data.path = target;
    transfer::TargetViews views(data);
    std::vector<std::string> out;
    for (const auto& arm : spec.arms) {
        if (arm != "each-source") {
            out.push_back(arm);
            continue;
        }
        for (const auto& e : db.zoo()) {
            const auto source = darts::SearchConfig::fromJson(e.searchConfigJson);
            // The entry's own image channels on both sides: those are checked per target.
            if (!e.multi() &&
                !darts::searchSpaceMismatch(source, e.inChannels(), spec.search, e.inChannels()) &&
                !views.isSourceOf(e))
                out.push_back("source:" + std::to_string(e.id));
        }
    }
    return out;
}

OpenedExperiment openExperiment(const std::string& db, const ExperimentSpec& spec,
                                const std::string& outDir)
{
    auto store = store::RunStore::open(db);
    const auto identity = spec.identity();
    for (const auto& e : store.experiments())
        if (e.status != "done" && ExperimentSpec::fromJson(e.specJson).identity() == identity)
            return {e.id, true};
    return {createExperiment(db, spec, outDir), false};
}

std::int64_t createExperiment(const std::string& db, const ExperimentSpec& spec,
                              const std::string& outDir)
{
    auto store = store::RunStore::open(db);
    const auto all = store.experiments();
    const auto next = all.empty() ? 1 : all.back().id + 1;
    const auto out = outDir.empty() ? (fs::path(store.artifactsDirectory()) / "experiments" /
                                       ("experiment-" + std::to_string(next)))
                                          .string()
                                    : outDir;
    return store.createExperiment(spec.toJson(), out);
}

} // namespace wb::jobs
