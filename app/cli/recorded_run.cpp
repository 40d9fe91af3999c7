#include "recorded_run.h"

#include "wb/common/versions.h"
#include "wb/store/run_store.h"
#include "wb/store/workspace_location.h"

#include <iostream>

namespace wb::cli {

void StoreFlags::add(CLI::App& cmd, bool allowDisable)
{
    cmd.add_option("--db", db, kDbHelp);
    if (allowDisable) cmd.add_flag("--no-store", disabled, "Do not record the run in a database");
}

std::string StoreFlags::path() const
{
    return db.empty() ? store::defaultWorkspace() : db;
}

std::unique_ptr<RecordedRun> startRecordedRun(const std::string& dbPath, const std::string& kind,
                                              const std::string& configJson, std::uint64_t seed,
                                              const std::string& datasetPath)
{
    store::NewRun run;
    run.kind = kind;
    run.configJson = configJson;
    run.seed = seed;
    run.datasetPath = datasetPath;
    run.appVersion = WB_VERSION;
    run.libraryVersions = libraryVersions();
    auto job = store::RecordedJob::start(dbPath, run);
    std::cerr << "run " << job->id() << " (" << store::redactedWorkspace(dbPath) << ")"
              << std::endl;
    return job;
}

std::unique_ptr<RecordedRun> reopenRecordedRun(const std::string& dbPath, std::int64_t id)
{
    auto job = store::RecordedJob::reopen(dbPath, id);
    std::cerr << "run " << id << " resumed (" << store::redactedWorkspace(dbPath) << ")"
              << std::endl;
    return job;
}

} // namespace wb::cli
