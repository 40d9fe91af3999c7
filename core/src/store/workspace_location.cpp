#include "wb/store/workspace_location.h"

#include "wb/store/run_store.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace wb::store {
namespace {

bool startsWithNoCase(std::string_view s, std::string_view prefix)
{
    return s.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), s.begin(), [](char p, char c) {
               return std::tolower(static_cast<unsigned char>(c)) == p;
           });
}

} // namespace

bool isServerWorkspace(std::string_view db)
{
    return startsWithNoCase(db, "postgresql://") || startsWithNoCase(db, "postgres://");
}

std::string redactedWorkspace(std::string_view db)
{
    if (!isServerWorkspace(db)) return std::string(db);
    std::string out(db);
    const auto authority = out.find("://") + 3;
    const auto queryAt = std::min(out.find('?', authority), out.size());
    // The last '@' before the query ends the user info (a raw '/' may sit in a password).
    const auto at = out.rfind('@', queryAt == out.size() ? std::string::npos : queryAt);
    if (at != std::string::npos && at >= authority) {
        const auto colon = out.find(':', authority);
        if (colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
    for (auto key = out.find('?'); key != std::string::npos; key = out.find('&', key + 1)) {
        if (out.compare(key + 1, 9, "password=") != 0) continue;
        const auto value = key + 10;
        const auto end = std::min(out.find('&', value), out.size());
        out.replace(value, end - value, "***");
    }
    return out;
}

std::string defaultWorkspace()
{
    if (const char* db = std::getenv("SUPERNET_DB"); db && *db) return db;
    return defaultWorkspacePath();
}

} // namespace wb::store
