#pragma once

#include "wb/darts/observer.h"
#include "wb/store/run_store.h"
#include "wb/store/store_writer.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wb::store {

// A job recorded in a workspace database: its run row, its folder for checkpoints, and a
// StoreWriter (its own connection and thread) that persists what the job observes. Used from
// the job's thread only; the CLI and the workbench record runs the same way through it.
class RecordedJob {
public:
    // Creates the run. Throws wb::Error when the database cannot be opened or written.
    static std::unique_ptr<RecordedJob> start(const std::string& dbPath, const NewRun& run);
    // Takes over a run that ended without finishing (interrupted, cancelled or failed) for
    // resuming; a running or done run is refused. `takeOver` also accepts a run still marked
    // running: a queue worker whose claim fenced out the run's previous worker.
    static std::unique_ptr<RecordedJob> reopen(const std::string& dbPath, std::int64_t id,
                                               bool takeOver = false);

    std::int64_t id() const { return m_id; }
    const std::string& directory() const { return m_directory; }
    darts::RunObserver& observer() { return *m_writer; }
    // Writes the final status and waits for the writer; returns a store error, if any (the job's
    // result stands: the writer never throws into training).
    std::optional<std::string> finish(RunStatus status, const std::string& error);

private:
    RecordedJob(std::int64_t id, std::string directory, std::unique_ptr<StoreWriter> writer);
    std::int64_t m_id;
    std::string m_directory;
    std::unique_ptr<StoreWriter> m_writer;
};

// The checkpoints a resumed search should try, newest epoch first, each file once (the last,
// then the best as a fallback).
std::vector<darts::CheckpointInfo> resumeCheckpoints(RunStore& db, std::int64_t id);

} // namespace wb::store
