#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace wb::cli {

// --db FILE / --no-store, shared by the commands that record runs.
struct StoreFlags {
    std::string db; // empty = the default workspace
    bool disabled = false;
    void add(CLI::App& cmd, bool allowDisable = true);
    std::string path() const;
};

} // namespace wb::cli
