#pragma once

#include "wb/darts/observer.h"
#include "wb/store/recorded_job.h"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace wb::cli {

// The help of every --db option.
inline constexpr const char* kDbHelp =
    "Workspace: a SQLite file or a postgresql:// URI (default: $SUPERNET_DB, else "
    "$XDG_DATA_HOME/supernet-workbench/workspace.sqlite)";

// --db FILE|URI / --no-store, shared by the commands that record runs.
struct StoreFlags {
    std::string db; // empty = the default workspace (store::defaultWorkspace())
    bool disabled = false;
    void add(CLI::App& cmd, bool allowDisable = true);
    std::string path() const;
};

// A CLI job recorded in the workspace database (see store::RecordedJob). Both print the run
// id on stderr; start() fills in the app and library versions.
using RecordedRun = store::RecordedJob;
std::unique_ptr<RecordedRun> startRecordedRun(const std::string& dbPath, const std::string& kind,
                                              const std::string& configJson, std::uint64_t seed,
                                              const std::string& datasetPath);
std::unique_ptr<RecordedRun> reopenRecordedRun(const std::string& dbPath, std::int64_t id);

} // namespace wb::cli
