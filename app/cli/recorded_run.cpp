#include "recorded_run.h"

#include "wb/common/error.h"
#include "wb/common/versions.h"
#include "wb/store/run_store.h"

#include <iostream>

namespace wb::cli {

void StoreFlags::add(CLI::App& cmd, bool allowDisable)
{
    cmd.add_option("--db", db,
                   "Workspace database (default: "
                   "$XDG_DATA_HOME/supernet-workbench/workspace.sqlite)");
    if (allowDisable) cmd.add_flag("--no-store", disabled, "Do not record the run in a database");
}

std::string StoreFlags::path() const
{
    return db.empty() ? store::defaultWorkspacePath() : db;
}

RecordedRun::RecordedRun(std::int64_t id, std::string directory,
                         std::unique_ptr<store::StoreWriter> writer)
    : m_id(id), m_directory(std::move(directory)), m_writer(std::move(writer))
{
}

std::unique_ptr<RecordedRun> RecordedRun::start(const std::string& dbPath,
                                                const std::string& kind,
                                                const std::string& configJson,
                                                std::uint64_t seed,
                                                const std::string& datasetPath)
{
    auto db = store::RunStore::open(dbPath);
    store::NewRun run;
    run.kind = kind;
    run.configJson = configJson;
    run.seed = seed;
    run.datasetPath = datasetPath;
    run.appVersion = WB_VERSION;
    run.libraryVersions = libraryVersions();
    const auto id = db.createRun(run);
    const auto dir = db.runDirectory(id);
    std::cerr << "run " << id << " (" << dbPath << ")" << std::endl;
    auto writer = std::make_unique<store::StoreWriter>(std::move(db), id, store::StoreWriter::Options{});
    return std::unique_ptr<RecordedRun>(new RecordedRun(id, dir, std::move(writer)));
}

std::unique_ptr<RecordedRun> RecordedRun::reopen(const std::string& dbPath, std::int64_t id)
{
    auto db = store::RunStore::open(dbPath);
    const auto run = db.run(id);
    if (run.status == darts::RunStatus::Running || run.status == darts::RunStatus::Done)
        throw Error("run " + std::to_string(id) + " is " + darts::statusName(run.status) +
                    ": only interrupted, cancelled or failed runs can be resumed");
    db.resumeRun(id);
    std::cerr << "run " << id << " resumed (" << dbPath << ")" << std::endl;
    const auto dir = run.directory.empty() ? db.runDirectory(id) : run.directory;
    auto writer = std::make_unique<store::StoreWriter>(std::move(db), id, store::StoreWriter::Options{});
    return std::unique_ptr<RecordedRun>(new RecordedRun(id, dir, std::move(writer)));
}

std::optional<std::string> RecordedRun::finish(darts::RunStatus status, const std::string& error)
{
    m_writer->finish(status, error);
    return m_writer->error();
}

} // namespace wb::cli
