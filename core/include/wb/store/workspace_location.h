#pragma once

// Where a workspace lives: a SQLite file path, or a PostgreSQL server given as a libpq
// connection URI (postgresql://user@host:port/db?sslmode=...). Plain strings, so the CLI and
// the GUI can pass `--db` through unchanged.

#include <string>
#include <string_view>

namespace wb::store {

// True for a `postgresql://` or `postgres://` URI (any letter case); anything else is a file.
bool isServerWorkspace(std::string_view db);

// The workspace as it may be shown: a URI's password (user:PASSWORD@ and password=PASSWORD)
// becomes `***`; a file path is returned as given.
std::string redactedWorkspace(std::string_view db);

// `text` with every password of the URI `db` replaced by `***` (for messages a library wrote,
// which may quote part of a URI it could not parse).
std::string withoutPasswords(std::string text, std::string_view db);

// `SUPERNET_DB` when set and not empty, else defaultWorkspacePath() (the SQLite file).
std::string defaultWorkspace();

} // namespace wb::store
