#include "wb/jobs/recorded.h"

#include "wb/common/error.h"
#include "wb/common/versions.h"
#include "wb/darts/observer_list.h"
#include "wb/jobs/warm_start_source.h"
#include "wb/jobs/zoo_entry.h"
#include "wb/store/recorded_job.h"
#include "wb/store/run_store.h"

namespace wb::jobs {
namespace {

store::NewRun newRun(const std::string& kind, std::string configJson, std::uint64_t seed,
                     const std::string& datasetPath, const std::string& role = {})
{
    store::NewRun run;
    run.kind = kind;
    run.role = role;
    run.configJson = std::move(configJson);
    run.seed = seed;
    run.datasetPath = datasetPath;
    run.appVersion = WB_VERSION;
    run.libraryVersions = libraryVersions();
    return run;
}

// Runs `job` with the store's observer beside the caller's and finishes the record.
template <typename Result, typename Job>
Recorded<Result> record(store::RecordedJob& recorded, darts::RunObserver& observer, Job&& job)
{
    darts::ObserverList observers{&observer, &recorded.observer()};
    Recorded<Result> out;
    out.runId = recorded.id();
    out.result = job(observers);
    out.storeError = recorded.finish(out.result.status, out.result.error);
    return out;
}

} // namespace

Recorded<darts::SearchResult> recordedSearch(const std::string& db, darts::SearchConfig config,
                                             RunControl& control, darts::RunObserver& observer,
                                             const RunCreated& created,
                                             std::optional<store::TransferRecord> transfer,
                                             const std::string& role)
{
    if (transfer && transfer->zooId && !config.warmStart.checkpoint.empty()) {
        auto store = store::RunStore::open(db);
        config.warmStart = localWarmStart(store, store.zooEntry(*transfer->zooId),
                                          config.warmStart.keepHead);
    }
    auto recorded = store::RecordedJob::start(
        db, newRun("search", config.toJson(), config.runtime.seed, config.data.path,
                   role.empty() && transfer ? "transfer" : role));
    if (transfer) {
        transfer->runId = recorded->id();
        store::RunStore::open(db).recordTransfer(*transfer);
    }
    config.checkpointDir = recorded->directory();
    if (created) created(recorded->id());
    return record<darts::SearchResult>(*recorded, observer, [&](darts::RunObserver& o) {
        return darts::runSearch(config, control, o);
    });
}

Pretrained recordedPretrain(const std::string& db, darts::SearchConfig config,
                            const std::string& zooName, RunControl& control,
                            darts::RunObserver& observer, const RunCreated& created)
{
    const auto name = zooName.empty() ? defaultZooName(config) : zooName;
    {
        auto store = store::RunStore::open(db);
        requireFreeZooName(store, name); // before hours of search, not after
    }
    Pretrained out;
    out.search =
        recordedSearch(db, std::move(config), control, observer, created, std::nullopt, "pretrain");
    if (out.search.result.status != RunStatus::Done) return out;
    try {
        store::RunStore::Options existing;
        existing.create = false; // the run must already be in this workspace
        auto store = store::RunStore::open(db, existing);
        const auto entry = zooEntryForRun(store, out.search.runId, name);
        out.zooId = store.addZooEntry(entry);
    } catch (const Error& e) {
        out.zooError = e.what();
    }
    return out;
}

Recorded<darts::TrainResult> recordedTrain(const std::string& db, darts::TrainConfig config,
                                           RunControl& control, darts::RunObserver& observer,
                                           const RunCreated& created)
{
    auto recorded = store::RecordedJob::start(
        db, newRun("train", config.toJson(), config.runtime.seed, config.data.path));
    config.checkpointDir = recorded->directory();
    if (created) created(recorded->id());
    return record<darts::TrainResult>(*recorded, observer, [&](darts::RunObserver& o) {
        return darts::runTrain(config, control, o);
    });
}

} // namespace wb::jobs
