#pragma once

#include <vector>

namespace wb::store {

// "WBWS" in PRAGMA application_id: tells our workspaces from other programs' SQLite files.
inline constexpr int kApplicationId = 0x57425753;

// One step of the schema: applied in its own transaction together with `user_version = version`.
struct Migration {
    int version;
    const char* sql;
};

// Ordered by version, 1..kSchemaVersion; never edit a released one, append a new one.
const std::vector<Migration>& migrations();

} // namespace wb::store
