#include "wb/jobs/zoo_entry.h"

#include "wb/common/error.h"
#include "wb/darts/search_config.h"
#include "wb/data/dataset.h"

#include <filesystem>

namespace wb::jobs {

std::string folderName(const std::string& path)
{
    const auto p = std::filesystem::path(path).lexically_normal();
    auto name = p.filename().string();
    if (name.empty()) name = p.parent_path().filename().string();
    return name.empty() ? path : name;
}

void requireFreeZooName(store::RunStore& db, const std::string& name)
{
    for (const auto& e : db.zoo())
        if (e.name == name)
            throw Error("zoo: the name '" + name + "' is taken by entry " + std::to_string(e.id) +
                        " in " + db.path() + "; choose another with --name");
}

std::string defaultZooName(const darts::SearchConfig& config)
{
    auto name = folderName(config.data.path);
    for (const auto& more : config.moreData) {
        name += '+';
        name += folderName(more.path);
    }
    return name;
}

store::ZooEntry zooEntryForRun(store::RunStore& db, std::int64_t runId, std::string name)
{
    const auto run = db.run(runId);
    const auto id = std::to_string(runId);
    if (run.kind != "search" || !run.dataset)
        throw Error("run " + id + " is not a search with a recorded dataset");
    if (run.status != RunStatus::Done)
        throw Error("run " + id + " is " + statusName(run.status) +
                    ": only finished searches join the zoo");
    store::ZooEntry e;
    e.runId = runId;
    e.searchConfigJson = run.configJson;
    for (const auto& c : db.checkpoints(runId))
        if (c.kind == store::CheckpointKind::Last) {
            e.checkpoint = c.info.path;
            e.checkpointSha256 = c.info.sha256;
        }
    if (e.checkpoint.empty()) throw Error("run " + id + " has no checkpoint");
    const auto epochs = db.epochs(runId);
    if (!epochs.empty()) e.valAcc = epochs.back().valAcc;

    const auto& d = *run.dataset;
    e.sources.push_back({folderName(d.path), d.path, d.fingerprint, int(d.classNames.size()),
                         d.channels, d.imageSize});
    // Further datasets of a multi-dataset pretraining, loaded as the search loaded them.
    const auto config = darts::SearchConfig::fromJson(run.configJson);
    for (const auto& more : config.moreData) {
        data::LoadOptions o;
        o.format = more.format;
        o.imageSize = more.imageSize;
        o.channels = more.imageChannels;
        const auto ds = data::loadDataset(more.path, o);
        e.sources.push_back({folderName(more.path), more.path, ds.fingerprint,
                             int(ds.classNames.size()), ds.channels, ds.height});
    }
    e.name = name.empty() ? defaultZooName(config) : name;
    return e;
}

} // namespace wb::jobs
