#pragma once

#include <vector>

namespace wb::store {

// "WBWS" in PRAGMA application_id: tells our workspaces from other programs' SQLite files
// (PostgreSQL: the application name in workbench_schema).
inline constexpr int kApplicationId = 0x57425753;

// One step of the schema, for both backends (written for SQLite; sql::schemaText translates it
// for PostgreSQL): applied in its own transaction together with the new version.
struct Migration {
    int version;
    const char* sql;
};

// Ordered by version, 1..kSchemaVersion; never edit a released one, append a new one.
const std::vector<Migration>& migrations();

} // namespace wb::store
