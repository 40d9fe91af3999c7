#include "wb/common/error.h"
#include "wb/data/dataset.h"
#include "wb/jobs/queue.h"
#include "wb/jobs/zoo_entry.h"
#include "wb/store/run_store.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace fs = std::filesystem;
using nlohmann::json;

namespace wb::jobs {
namespace {

// A path below `root`, without going up: the relative part, or nothing.
std::optional<fs::path> below(const fs::path& path, const fs::path& root)
{
    const auto rel = fs::weakly_canonical(path).lexically_relative(fs::weakly_canonical(root));
    if (rel.empty() || *rel.begin() == "..") return std::nullopt;
    return rel;
}

std::string fingerprintOf(const darts::DataConfig& d, const std::string& path)
{
    data::LoadOptions o;
    o.format = d.format;
    o.imageSize = d.imageSize;
    o.channels = d.imageChannels;
    return data::loadDataset(path, o).fingerprint;
}

json distanceJson(const transfer::DistanceSettings& d)
{
    return {{"embed", d.embed},
            {"inner", d.inner},
            {"embed_size", d.config.embedder.size},
            {"embed_dim", d.config.embedDim},
            {"maxsamples", d.config.maxSamples},
            {"entreg", d.config.entreg}};
}

transfer::DistanceSettings distanceFrom(const json& j)
{
    transfer::DistanceSettings d;
    j.at("embed").get_to(d.embed);
    j.at("inner").get_to(d.inner);
    j.at("embed_size").get_to(d.config.embedder.size);
    j.at("embed_dim").get_to(d.config.embedDim);
    j.at("maxsamples").get_to(d.config.maxSamples);
    j.at("entreg").get_to(d.config.entreg);
    return d;
}

} // namespace

std::string DataRoots::forQueue(const std::string& path) const
{
    for (const auto& root : roots)
        if (const auto rel = below(path, root)) return rel->string();
    return fs::absolute(path).lexically_normal().string();
}

std::string DataRoots::resolve(const std::string& stored) const
{
    if (roots.empty())
        throw Error("dataset " + stored +
                    ": this worker has no --data-root, so it may read no "
                    "dataset");
    const fs::path p(stored);
    if (p.is_absolute()) {
        for (const auto& root : roots)
            if (below(p, root)) return p.string();
        throw Error("dataset " + stored + " lies outside this worker's data roots");
    }
    std::error_code ec;
    for (const auto& root : roots) {
        // `..` or a symbolic link must not lead out of the root.
        const auto candidate = fs::path(root) / p;
        if (!below(candidate, root))
            throw Error("dataset " + stored + " leaves the data root " + root);
        if (fs::exists(candidate, ec)) return candidate.string();
    }
    throw Error("dataset " + stored + " is under none of this worker's data roots");
}

std::string QueuedJob::toJson() const
{
    json j;
    if (kind == "train") j["config"] = json::parse(train.toJson());
    if (kind == "search" || kind == "pretrain" || kind == "transfer")
        j["config"] = json::parse(search.toJson());
    if (kind == "pretrain") j["zoo_name"] = zooName;
    if (kind == "transfer") {
        j["source"] = source;
        j["keep_head"] = keepHead;
        j["distance"] = distanceJson(distance);
    }
    if (kind == "experiment-cell") {
        j["experiment_id"] = experimentId;
        j["target"] = target;
        j["seed"] = seed;
        j["arm"] = arm;
    }
    auto prints = json::array();
    for (const auto& [path, fp] : fingerprints)
        prints.push_back({{"path", path}, {"fingerprint", fp}});
    j["datasets"] = prints;
    return j.dump();
}

QueuedJob QueuedJob::fromJson(const std::string& kind, const std::string& text)
{
    QueuedJob q;
    q.kind = kind;
    try {
        const auto j = json::parse(text);
        if (kind == "train")
            q.train = darts::TrainConfig::fromJson(j.at("config").dump());
        else if (kind == "search" || kind == "pretrain" || kind == "transfer")
            q.search = darts::SearchConfig::fromJson(j.at("config").dump());
        else if (kind != "experiment-cell")
            throw Error("unknown job kind '" + kind + "' (queued by a newer version?)");
        if (kind == "pretrain") j.at("zoo_name").get_to(q.zooName);
        if (kind == "transfer") {
            j.at("source").get_to(q.source);
            j.at("keep_head").get_to(q.keepHead);
            q.distance = distanceFrom(j.at("distance"));
        }
        if (kind == "experiment-cell") {
            j.at("experiment_id").get_to(q.experimentId);
            j.at("target").get_to(q.target);
            j.at("seed").get_to(q.seed);
            j.at("arm").get_to(q.arm);
        }
        for (const auto& d : j.at("datasets"))
            q.fingerprints.emplace_back(d.at("path").get<std::string>(),
                                        d.at("fingerprint").get<std::string>());
    } catch (const json::exception& e) {
        throw Error("job spec: " + std::string(e.what()));
    }
    return q;
}

std::int64_t submitJob(const std::string& db, QueuedJob job, const Submission& how)
{
    if (job.kind == "pretrain") {
        // A taken name would fail the job after its whole search: refuse it now, also when a
        // pretraining still in the queue will take it.
        if (job.zooName.empty()) job.zooName = defaultZooName(job.search);
        auto store = store::RunStore::open(db);
        requireFreeZooName(store, job.zooName);
        for (const auto& j : store.jobs()) {
            if (j.kind != "pretrain" ||
                (j.state != store::JobState::Queued && j.state != store::JobState::Running))
                continue;
            const auto other = QueuedJob::fromJson(j.kind, j.spec);
            const auto name = other.zooName.empty() ? defaultZooName(other.search) : other.zooName;
            if (name == job.zooName)
                throw Error("zoo: the name '" + job.zooName + "' is taken by queued job " +
                            std::to_string(j.id) + "; choose another with --name");
        }
    }
    // Every dataset the job reads, relative to the data root, with its fingerprint now.
    const auto record = [&](darts::DataConfig& d) {
        const auto fp = fingerprintOf(d, d.path);
        d.path = how.roots.forQueue(d.path);
        job.fingerprints.emplace_back(d.path, fp);
    };
    if (job.kind == "train") {
        record(job.train.data);
    } else {
        record(job.search.data);
        for (auto& more : job.search.moreData)
            record(more);
    }
    store::NewJob n;
    n.kind = job.kind;
    n.spec = job.toJson();
    n.device = how.device;
    n.waitFor = how.after;
    n.maxAttempts = how.maxAttempts;
    return store::RunStore::open(db).enqueueJob(n);
}

std::vector<std::int64_t> submitExperiment(const std::string& db, std::int64_t experimentId,
                                           const ExperimentSpec& spec, const Submission& how)
{
    std::vector<std::pair<std::string, std::string>> targets; // stored path, fingerprint
    for (const auto& t : spec.targets)
        targets.emplace_back(how.roots.forQueue(t), fingerprintOf(spec.search.data, t));
    auto store = store::RunStore::open(db);
    std::vector<std::int64_t> pretraining;
    for (const auto& j : store.jobs())
        if (j.kind == "pretrain" &&
            (j.state == store::JobState::Queued || j.state == store::JobState::Running))
            pretraining.push_back(j.id);
    std::vector<std::int64_t> ids;
    for (std::size_t t = 0; t < spec.targets.size(); ++t) {
        const auto arms = expandArms(spec, store, spec.targets[t]);
        for (const auto seed : spec.seeds)
            for (const auto& arm : arms) {
                QueuedJob job;
                job.kind = "experiment-cell";
                job.experimentId = experimentId;
                job.target = spec.targets[t]; // the cell's key in the store, as given
                job.seed = seed;
                job.arm = arm;
                job.fingerprints = {targets[t]};
                store::NewJob n;
                n.kind = job.kind;
                n.spec = job.toJson();
                n.device = how.device;
                n.waitFor = how.after;
                if (arm != "scratch")
                    n.waitFor.insert(n.waitFor.end(), pretraining.begin(), pretraining.end());
                n.maxAttempts = how.maxAttempts;
                n.experimentId = experimentId;
                ids.push_back(store.enqueueJob(n));
            }
    }
    return ids;
}

} // namespace wb::jobs
