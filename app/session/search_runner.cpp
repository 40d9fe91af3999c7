#include "search_session.h"

#include "wb/common/versions.h"
#include "wb/darts/observer_list.h"
#include "wb/darts/search.h"
#include "wb/store/recorded_job.h"
#include "wb/store/run_store.h"

namespace wb::session {

// Kept in its own translation unit: only code that asks for the real search pulls LibTorch's
// wb_core objects into the link.
SearchSession::Runner SearchSession::searchRunner(darts::SearchConfig config)
{
    return [config = std::move(config)](RunControl& control, darts::RunObserver& observer) {
        return darts::runSearch(config, control, observer);
    };
}

SearchSession::Runner
SearchSession::recordedSearchRunner(std::string dbPath, darts::SearchConfig config,
                                    std::optional<store::TransferRecord> transfer,
                                    std::function<void(std::int64_t)> onRunCreated)
{
    return [=](RunControl& control, darts::RunObserver& observer) mutable {
        store::NewRun run;
        run.kind = "search";
        run.configJson = config.toJson();
        run.seed = config.runtime.seed;
        run.datasetPath = config.data.path;
        run.appVersion = WB_VERSION;
        run.libraryVersions = libraryVersions();
        auto job = store::RecordedJob::start(dbPath, run);
        if (transfer) {
            transfer->runId = job->id();
            store::RunStore::open(dbPath).recordTransfer(*transfer);
        }
        config.checkpointDir = job->directory();
        if (onRunCreated) onRunCreated(job->id());
        darts::ObserverList observers{&observer, &job->observer()};
        auto result = darts::runSearch(config, control, observers);
        job->finish(result.status, result.error);
        return result;
    };
}

SearchSession::Runner SearchSession::resumedSearchRunner(std::string dbPath, std::int64_t id,
                                                         darts::SearchConfig config)
{
    return [=](RunControl& control, darts::RunObserver& observer) mutable {
        const auto checkpoints = [&] {
            auto db = store::RunStore::openReadOnly(dbPath);
            return store::resumeCheckpoints(db, id);
        }();
        auto job = store::RecordedJob::reopen(dbPath, id);
        config.checkpointDir = job->directory();
        darts::ObserverList observers{&observer, &job->observer()};
        auto result = darts::resumeSearch(config, checkpoints, control, observers);
        job->finish(result.status, result.error);
        return result;
    };
}

} // namespace wb::session
