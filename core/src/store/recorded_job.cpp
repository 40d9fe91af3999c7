#include "wb/store/recorded_job.h"

#include "wb/common/error.h"

#include <algorithm>
#include <filesystem>

namespace wb::store {

RecordedJob::RecordedJob(std::int64_t id, std::string directory,
                         std::unique_ptr<StoreWriter> writer)
    : m_id(id), m_directory(std::move(directory)), m_writer(std::move(writer))
{
}

std::unique_ptr<RecordedJob> RecordedJob::start(const std::string& dbPath, const NewRun& run)
{
    auto db = RunStore::open(dbPath);
    const auto id = db.createRun(run);
    const auto dir = run.directory.empty() ? db.runDirectory(id) : run.directory;
    auto writer = std::make_unique<StoreWriter>(std::move(db), id, StoreWriter::Options{});
    return std::unique_ptr<RecordedJob>(new RecordedJob(id, dir, std::move(writer)));
}

std::unique_ptr<RecordedJob> RecordedJob::reopen(const std::string& dbPath, std::int64_t id,
                                                 bool takeOver)
{
    auto db = RunStore::open(dbPath);
    const auto run = db.run(id);
    if ((run.status == RunStatus::Running && !takeOver) || run.status == RunStatus::Done)
        throw Error("run " + std::to_string(id) + " is " + statusName(run.status) +
                    ": only interrupted, cancelled or failed runs can be resumed");
    db.resumeRun(id, takeOver);
    // Resumed on another machine of a server workspace: the recorded folder is not here, so the
    // run continues in this machine's run folder (its checkpoints are in the database too).
    std::error_code ec;
    const bool elsewhere = db.onServer() && !std::filesystem::is_directory(run.directory, ec);
    const auto dir = run.directory.empty() || elsewhere ? db.runDirectory(id) : run.directory;
    auto writer = std::make_unique<StoreWriter>(std::move(db), id, StoreWriter::Options{});
    return std::unique_ptr<RecordedJob>(new RecordedJob(id, dir, std::move(writer)));
}

std::optional<std::string> RecordedJob::finish(RunStatus status, const std::string& error)
{
    m_writer->finish(status, error);
    return m_writer->error();
}

std::vector<darts::CheckpointInfo> resumeCheckpoints(RunStore& db, std::int64_t id)
{
    auto records = db.checkpoints(id);
    std::sort(records.begin(), records.end(),
              [](const auto& a, const auto& b) { return a.info.epoch > b.info.epoch; });
    std::vector<darts::CheckpointInfo> out;
    for (const auto& r : records)
        if (std::none_of(out.begin(), out.end(),
                         [&](const auto& c) { return c.path == r.info.path; }))
            out.push_back(r.info);
    return out;
}

} // namespace wb::store
