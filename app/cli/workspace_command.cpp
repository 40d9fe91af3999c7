// `supernet workspace migrate`: the one way a shared (PostgreSQL) workspace changes its schema;
// `supernet workspace copy`: a whole workspace from one backend (or file) to another.

#include "commands.h"
#include "store_flags.h"

#include "wb/store/run_store.h"
#include "wb/store/workspace_copy.h"
#include "wb/store/workspace_location.h"

#include <iostream>
#include <memory>

namespace wb::cli {

void addWorkspaceCommand(CLI::App& root, int& exitCode)
{
    auto* workspace = root.add_subcommand("workspace", "Manage a workspace database");
    workspace->require_subcommand(1);

    auto db = std::make_shared<std::string>();
    auto* migrate = workspace->add_subcommand(
        "migrate", "Bring the workspace's schema to this build's version (creates a new one); "
                   "on PostgreSQL the only command that changes the schema");
    migrate->add_option("--db", *db, kDbHelp);
    migrate->callback([db, &exitCode] {
        const auto target = db->empty() ? store::defaultWorkspace() : *db;
        const auto result = store::RunStore::migrate(target);
        const auto shown = store::redactedWorkspace(target);
        if (result.from == result.to)
            std::cout << shown << ": schema " << result.to << ", nothing to do\n";
        else
            std::cout << shown << ": schema " << result.from << " -> " << result.to << "\n";
        exitCode = 0;
    });

    auto from = std::make_shared<std::string>();
    auto to = std::make_shared<std::string>();
    auto* copy = workspace->add_subcommand(
        "copy", "Copy a whole workspace (SQLite file or postgresql:// URI) into a new or empty "
                "one; ids are kept, checkpoint files stay where they are");
    copy->add_option("--from", *from, "Source workspace (file or URI)")->required();
    copy->add_option("--to", *to, "Destination: a new file or an empty database")->required();
    copy->callback([from, to, &exitCode] {
        std::int64_t total = 0;
        for (const auto& [table, rows] : store::copyWorkspace(*from, *to)) {
            std::cout << table << ": " << rows << "\n";
            total += rows;
        }
        std::cout << total << " rows copied from " << store::redactedWorkspace(*from) << " to "
                  << store::redactedWorkspace(*to) << "\n";
        exitCode = 0;
    });
}

} // namespace wb::cli
