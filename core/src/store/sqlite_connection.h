#pragma once

// The SQLite backend of sql::Connection: one workspace file (WAL, busy timeout, foreign keys).

#include "connection.h"

#include <string>

namespace wb::store::sql {

// Opens (or creates) the file with today's checks: a folder, a missing file without `create`,
// a read-only file or folder are refused with a message that says what to do. A read-only
// request in a folder nobody may write opens the file immutable.
std::unique_ptr<Connection> openSqlite(const std::string& path, const OpenRequest& request);

// The file and its folder can be written (WAL creates its -wal and -shm files there).
bool sqliteWritable(const std::string& path);

// "the database is damaged (<detail>); ..." with what the user can do about it.
std::string damagedAdvice(const std::string& detail);

// "file:<path>?immutable=1" with the path percent-encoded, for sqlite3_open_v2(SQLITE_OPEN_URI).
std::string immutableUri(const std::string& path);

} // namespace wb::store::sql
