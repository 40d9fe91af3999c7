#include "wb/transfer/workspace_embedder.h"

#include "wb/common/error.h"

#include <filesystem>
#include <optional>

namespace fs = std::filesystem;

namespace wb::transfer {

void resolveSupernet(ot::EmbedderConfig& e, store::RunStore* db)
{
    if (!db)
        throw Error("--embed supernet:" + e.source +
                    " needs the workspace database that recorded the run (drop --no-store)");
    std::optional<std::int64_t> runId;
    std::string checkpoint;
    const bool numeric =
        !e.source.empty() && e.source.find_first_not_of("0123456789") == std::string::npos;
    if (numeric) {
        runId = std::stoll(e.source);
        std::vector<store::CheckpointRecord> records;
        try {
            records = db->checkpoints(*runId);
        } catch (const Error& error) {
            throw Error("--embed supernet:" + e.source + ": " + error.what());
        }
        for (const auto& c : records)
            if (checkpoint.empty() || c.kind == store::CheckpointKind::Best)
                checkpoint = c.info.path;
        if (checkpoint.empty())
            throw Error("--embed supernet:" + e.source + ": run " + e.source +
                        " has no checkpoint in " + db->path());
    } else {
        std::error_code ec;
        for (const auto& r : db->listRuns()) {
            for (const auto& c : db->checkpoints(r.id))
                if (c.info.path == e.source || fs::equivalent(c.info.path, e.source, ec)) {
                    runId = r.id;
                    checkpoint = c.info.path;
                }
        }
        if (!runId)
            throw Error("--embed supernet:" + e.source + ": no run in " + db->path() +
                        " recorded this checkpoint (pass a run id or a recorded checkpoint)");
    }
    const auto run = db->run(*runId);
    if (run.kind != "search" || !run.dataset)
        throw Error("--embed supernet:" + e.source + ": run " + std::to_string(*runId) +
                    " is not a search run with a recorded dataset");
    // Written on another machine: the server workspace's copy, fetched here.
    const auto local = db->localRunFile(*runId, checkpoint);
    e.modelPath = local.empty() ? checkpoint : local;
    e.supernetConfigJson = run.configJson;
    e.supernetInChannels = run.dataset->channels;
    e.supernetClasses = int(run.dataset->classNames.size());
    if (e.size == 0) e.size = run.dataset->imageSize;
}

std::string autoEmbedder(const std::string& embed, store::RunStore* db, std::string* note)
{
    if (embed != "auto") return embed;
    if (db) {
        const auto zoo = db->zoo();
        for (auto it = zoo.rbegin(); it != zoo.rend(); ++it)
            if (it->multi()) {
                if (note)
                    *note = "embedder: supernet:" + std::to_string(it->runId) + " (zoo " +
                            std::to_string(it->id) + " '" + it->name + "', multi-dataset)";
                return "supernet:" + std::to_string(it->runId);
            }
    }
    return "pixels";
}

std::unique_ptr<ot::EmbeddingCache> workspaceEmbeddingCache(store::RunStore* db)
{
    if (!db) return std::make_unique<ot::EmbeddingCache>();
    ot::EmbeddingMirror mirror;
    if (db->onServer()) {
        mirror.fetch = [db](const std::string& name, const std::string& file) {
            return db->fetchSharedFile("embeddings/" + name, file);
        };
        mirror.store = [db](const std::string& name, const std::string& file) {
            db->storeSharedFile("embeddings/" + name, file);
        };
    }
    return std::make_unique<ot::EmbeddingCache>(
        (std::filesystem::path(db->artifactsDirectory()) / "embeddings").string(),
        std::move(mirror));
}

} // namespace wb::transfer
