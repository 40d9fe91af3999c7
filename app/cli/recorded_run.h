#pragma once

#include "wb/darts/observer.h"
#include "wb/store/store_writer.h"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace wb::cli {

// --db FILE / --no-store, shared by the commands that record runs.
struct StoreFlags {
    std::string db;  // empty = the default workspace
    bool disabled = false;
    void add(CLI::App& cmd, bool allowDisable = true);
    std::string path() const;
};

// A CLI job recorded in the workspace database: the run row, its folder for checkpoints and a
// StoreWriter that persists the job's metrics from a background thread. Job thread only.
class RecordedRun {
public:
    // Creates the run and prints "run ID" on stderr. Throws wb::Error when the database cannot
    // be opened or written.
    static std::unique_ptr<RecordedRun> start(const std::string& dbPath, const std::string& kind,
                                              const std::string& configJson, std::uint64_t seed,
                                              const std::string& datasetPath);
    // Reopens a finished-but-unfinished run (interrupted, cancelled or failed) for resuming.
    static std::unique_ptr<RecordedRun> reopen(const std::string& dbPath, std::int64_t id);

    std::int64_t id() const { return m_id; }
    const std::string& directory() const { return m_directory; }
    darts::RunObserver& observer() { return *m_writer; }
    // Writes the final status and waits for the writer; returns a store error, if any, which
    // the CLI reports without failing the job (the metrics are also on stdout).
    std::optional<std::string> finish(darts::RunStatus status, const std::string& error);

private:
    RecordedRun(std::int64_t id, std::string directory, std::unique_ptr<store::StoreWriter> w);
    std::int64_t m_id;
    std::string m_directory;
    std::unique_ptr<store::StoreWriter> m_writer;
};

} // namespace wb::cli
