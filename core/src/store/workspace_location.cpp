#include "wb/store/workspace_location.h"

#include "wb/store/run_store.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <utility>
#include <vector>

namespace wb::store {
namespace {

bool startsWithNoCase(std::string_view s, std::string_view prefix)
{
    return s.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), s.begin(), [](char p, char c) {
               return std::tolower(static_cast<unsigned char>(c)) == p;
           });
}

// Offset and length of every password in a URI: user:PASSWORD@ and password=PASSWORD.
std::vector<std::pair<std::size_t, std::size_t>> passwordSpans(std::string_view db)
{
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    if (!isServerWorkspace(db)) return spans;
    const auto authority = db.find("://") + 3;
    const auto queryAt = std::min(db.find('?', authority), db.size());
    // The last '@' before the query ends the user info (a raw '/' may sit in a password).
    const auto at = db.rfind('@', queryAt == db.size() ? std::string_view::npos : queryAt);
    if (at != std::string_view::npos && at >= authority) {
        const auto colon = db.find(':', authority);
        if (colon < at) spans.emplace_back(colon + 1, at - colon - 1);
    }
    for (auto key = db.find('?'); key != std::string_view::npos; key = db.find('&', key + 1)) {
        if (db.substr(key + 1, 9) != "password=") continue;
        const auto value = key + 10;
        spans.emplace_back(value, std::min(db.find('&', value), db.size()) - value);
    }
    return spans;
}

} // namespace

bool isServerWorkspace(std::string_view db)
{
    return startsWithNoCase(db, "postgresql://") || startsWithNoCase(db, "postgres://");
}

std::string redactedWorkspace(std::string_view db)
{
    std::string out(db);
    const auto spans = passwordSpans(db);
    for (auto it = spans.rbegin(); it != spans.rend(); ++it)
        out.replace(it->first, it->second, "***");
    return out;
}

std::string withoutPasswords(std::string text, std::string_view db)
{
    for (const auto& [at, length] : passwordSpans(db)) {
        if (length == 0) continue;
        const std::string secret(db.substr(at, length));
        for (auto p = text.find(secret); p != std::string::npos; p = text.find(secret, p + 3))
            text.replace(p, secret.size(), "***");
    }
    return text;
}

std::string defaultWorkspace()
{
    if (const char* db = std::getenv("SUPERNET_DB"); db && *db) return db;
    return defaultWorkspacePath();
}

} // namespace wb::store
