#include "store_flags.h"

#include "wb/store/workspace_location.h"

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

} // namespace wb::cli
