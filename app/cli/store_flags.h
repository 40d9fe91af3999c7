#pragma once

#include <CLI/CLI.hpp>

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

} // namespace wb::cli
