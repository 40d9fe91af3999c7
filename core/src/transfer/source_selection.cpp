#include "wb/transfer/source_selection.h"

#include "wb/transfer/cached_distance.h"
#include "wb/transfer/workspace_embedder.h"

#include "wb/common/error.h"
#include "wb/data/dataset.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <random>

namespace fs = std::filesystem;

namespace wb::transfer {
namespace {

using DatasetPtr = std::shared_ptr<const data::Dataset>;

DatasetPtr load(const std::string& path, data::Format format, int size, int channels)
{
    data::LoadOptions o;
    o.format = format;
    o.imageSize = size;
    o.channels = channels;
    return std::make_shared<const data::Dataset>(data::loadDataset(path, o));
}

std::string label(const store::ZooEntry& e)
{
    return "zoo " + std::to_string(e.id) + " (" + e.name + ")";
}

// The dataset a zoo entry was pretrained on (the first, for a multi-dataset supernet), loaded as
// it was then.
ot::DatasetRef sourceOf(const store::ZooEntry& e)
{
    const auto& src = e.sources.front();
    return {src.name, load(src.path, data::Format::Auto, src.imageSize, src.channels)};
}

// OTDD target -> source, from the store's cache when it has the pair.
RankedSource& measure(RankedSource& r, const ot::DatasetRef& source, const DatasetPtr& target,
                      const ot::DistanceConfig& config, store::RunStore& db,
                      ot::EmbeddingCache& cache, RunControl& control, ot::OtObserver& observer)
{
    const auto d =
        cachedDistance(source, {"target", target}, config, &db, &cache, control, observer);
    if (d.status == RunStatus::Cancelled) throw Error("cancelled");
    if (d.status != RunStatus::Done) throw Error("distance to " + label(r.entry) + ": " + d.error);
    r.distance = d.value.value;
    r.converged = d.value.converged;
    r.cached = d.cached;
    return r;
}

} // namespace

const std::string& TargetViews::fingerprintAs(const store::ZooSource& s)
{
    std::error_code ec;
    if (fs::equivalent(s.path, m_target.path, ec)) return s.fingerprint; // the same folder
    const auto key = std::pair{s.imageSize, s.channels};
    auto it = m_fingerprints.find(key);
    if (it == m_fingerprints.end())
        it = m_fingerprints
                 .emplace(key, load(m_target.path, m_target.format, s.imageSize, s.channels)
                                   ->fingerprint)
                 .first;
    return it->second;
}

bool TargetViews::isSourceOf(const store::ZooEntry& entry)
{
    return std::any_of(entry.sources.begin(), entry.sources.end(),
                       [&](const auto& s) { return fingerprintAs(s) == s.fingerprint; });
}

std::string exclusionReason(const store::ZooEntry& entry, const darts::SearchConfig& target,
                            int targetChannels,
                            const std::function<std::string(const store::ZooSource&)>& targetAs)
{
    const auto config = darts::SearchConfig::fromJson(entry.searchConfigJson);
    if (const auto why =
            darts::searchSpaceMismatch(config, entry.inChannels(), target, targetChannels))
        return *why;
    for (const auto& s : entry.sources)
        if (targetAs(s) == s.fingerprint)
            return "pretrained on the target dataset itself (" + s.name + ")";
    return {};
}

store::TransferRecord SourceChoice::record() const
{
    return {0, chosen.id, chosen.name, mode, distance, rankingJson()};
}

std::string SourceChoice::rankingJson() const
{
    auto out = nlohmann::json::array();
    for (const auto& r : ranking) {
        nlohmann::json j = {{"zoo_id", r.entry.id}, {"name", r.entry.name}};
        j["distance"] = r.distance ? nlohmann::json(*r.distance) : nlohmann::json(nullptr);
        if (r.distance && !r.converged) j["converged"] = false;
        if (!r.excluded.empty()) j["excluded"] = r.excluded;
        out.push_back(j);
    }
    return out.dump();
}

SourceChoice chooseSource(const std::string& how, const darts::SearchConfig& target,
                          store::RunStore& db, const ot::DistanceConfig& distanceIn,
                          RunControl& control, ot::OtObserver& observer)
{
    const bool measured = how.starts_with("measured:");
    const std::string idText = measured ? how.substr(9) : how;
    const bool byId = how != "auto" && how != "random";
    std::int64_t id = 0;
    if (byId) {
        std::size_t used = 0;
        try {
            id = std::stoll(idText, &used);
        } catch (const std::exception&) {
        }
        if (used == 0 || used != idText.size())
            throw Error("--source: expected auto, random or a zoo id, got '" + how + "'");
    }
    SourceChoice out;
    out.mode = byId ? "id" : how;
    const auto entries = db.zoo();
    if (entries.empty())
        throw Error("the zoo of " + db.path() +
                    " is empty: pretrain a supernet first (supernet pretrain --data DIR)");

    const auto& d = target.data;
    const auto targetDs = load(d.path, d.format, d.imageSize, d.imageChannels);
    TargetViews views(d);
    const auto targetAs = [&](const store::ZooSource& s) { return views.fingerprintAs(s); };
    std::vector<RankedSource> candidates, excluded;
    for (const auto& e : entries) {
        RankedSource r{e, std::nullopt, true, false,
                       exclusionReason(e, target, targetDs->channels, targetAs)};
        if (r.excluded.empty() && !byId && e.multi())
            r.excluded = "multi-dataset supernet (choose it by id)";
        if (byId && e.id != id) continue;
        (r.excluded.empty() ? candidates : excluded).push_back(std::move(r));
    }
    if (byId && candidates.empty()) {
        if (excluded.empty()) db.zooEntry(id); // throws "zoo entry N not found"
        throw Error(label(excluded.front().entry) +
                    " cannot warm-start this search: " + excluded.front().excluded);
    }
    if (candidates.empty()) {
        std::string why;
        for (const auto& r : excluded)
            why += "\n  " + label(r.entry) + ": " + r.excluded;
        throw Error("no zoo entry can warm-start this search:" + why);
    }

    // A multi-dataset entry has no single dataset to measure against.
    if (how == "auto" || (measured && !candidates.front().entry.multi())) {
        auto config = distanceIn;
        // Pixels of different sizes are not comparable: both sides at the target's geometry.
        if (config.embedder.size == 0) config.embedder.size = targetDs->height;
        if (config.embedder.channels == 0) config.embedder.channels = targetDs->channels;
        config.embedder.identify();
        const auto cache = workspaceEmbeddingCache(&db);
        // With PCA, one basis for the whole ranking (the target and every candidate's dataset,
        // all loaded once): distances in one space, comparable across candidates. Without, the
        // sources are loaded one at a time.
        std::vector<ot::DatasetRef> all;
        if (config.embedDim > 0) {
            all.push_back({"target", targetDs});
            for (const auto& r : candidates)
                all.push_back(sourceOf(r.entry));
            config.pcaBasis = ot::fitPcaBasis(all, config, control, cache.get());
            if (control.stopRequested()) throw Error("cancelled");
        }
        for (std::size_t k = 0; k < candidates.size(); ++k)
            measure(candidates[k], all.empty() ? sourceOf(candidates[k].entry) : all[k + 1],
                    targetDs, config, db, *cache, control, observer);
        std::stable_sort(candidates.begin(), candidates.end(),
                         [](const auto& x, const auto& y) { return *x.distance < *y.distance; });
        out.chosen = candidates.front().entry;
        out.distance = candidates.front().distance;
    } else if (how == "random") {
        std::mt19937_64 rng(target.runtime.seed);
        out.chosen = candidates[std::size_t(rng() % candidates.size())].entry;
    } else {
        out.chosen = candidates.front().entry;
    }
    out.ranking = std::move(candidates);
    for (auto& r : excluded)
        out.ranking.push_back(std::move(r));
    return out;
}

darts::WarmStart warmStartFrom(const store::ZooEntry& entry, bool keepHead)
{
    darts::WarmStart w;
    w.checkpoint = entry.checkpoint;
    w.sha256 = entry.checkpointSha256;
    w.sourceConfigJson = entry.searchConfigJson;
    w.sourceInChannels = entry.inChannels();
    w.sourceClasses = entry.classes();
    w.keepHead = keepHead;
    w.label = label(entry);
    return w;
}

} // namespace wb::transfer
