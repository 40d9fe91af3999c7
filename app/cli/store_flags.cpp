#include "store_flags.h"

#include "wb/store/run_store.h"

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

} // namespace wb::cli
