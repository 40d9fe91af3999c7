#include "sqlite.h"

#include "wb/common/error.h"

#include <cctype>
#include <cstdio>
#include <cstring>

namespace wb::store::sql {

void fail(sqlite3* db, int rc, const std::string& file, const std::string& what)
{
    const std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    std::string reason;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        reason = "the database is locked by another process (" + detail +
                 "); try again when the other run or program has finished";
        break;
    case SQLITE_FULL:
        reason = "the disk or the database is full (" + detail +
                 "); rows written before are intact: free some space and resume the run";
        break;
    case SQLITE_NOTADB:
        reason = "not a SQLite database (" + detail + "); choose another file with --db";
        break;
    case SQLITE_CORRUPT:
        reason = damagedAdvice(detail);
        break;
    case SQLITE_READONLY:
        reason = "the database or its folder is read-only (" + detail + ")";
        break;
    case SQLITE_CANTOPEN:
        reason = "cannot open or create the database (" + detail +
                 "); check that its folder exists and is writable";
        break;
    case SQLITE_IOERR:
        reason = "input/output error (" + detail + ")";
        break;
    case SQLITE_PERM:
        reason = "permission denied (" + detail + ")";
        break;
    default:
        reason = detail;
    }
    throw Error(file + ": " + what + ": " + reason);
}

std::string damagedAdvice(const std::string& detail)
{
    return "the database is damaged (" + detail +
           "); nothing was read from it. Restore a backup, or save what is readable with "
           "`sqlite3 FILE .recover | sqlite3 NEW_FILE`";
}

std::string immutableUri(const std::string& path)
{
    std::string uri = "file:";
    for (const unsigned char c : path) {
        if (std::isalnum(c) || std::strchr("/-_.~", c)) {
            uri += char(c);
        } else {
            char escaped[4];
            std::snprintf(escaped, sizeof escaped, "%%%02X", c);
            uri += escaped;
        }
    }
    return uri + "?immutable=1";
}

void exec(sqlite3* db, const std::string& file, const char* sqlText, const std::string& what)
{
    char* message = nullptr;
    const int rc = sqlite3_exec(db, sqlText, nullptr, nullptr, &message);
    sqlite3_free(message); // sqlite3_errmsg() still holds the text for fail()
    if (rc != SQLITE_OK) fail(db, rc, file, what);
}

Statement::Statement(sqlite3* db, const std::string& file, std::string_view sqlText)
    : m_db(db), m_file(file)
{
    const int rc = sqlite3_prepare_v2(db, sqlText.data(), int(sqlText.size()), &m_stmt, nullptr);
    if (rc != SQLITE_OK) fail(db, rc, file, "preparing a query");
}

Statement::~Statement()
{
    sqlite3_finalize(m_stmt);
}

Statement& Statement::bind(int index, std::int64_t value)
{
    const int rc = sqlite3_bind_int64(m_stmt, index, value);
    if (rc != SQLITE_OK) fail(m_db, rc, m_file, "binding a value");
    return *this;
}

Statement& Statement::bind(int index, double value)
{
    const int rc = sqlite3_bind_double(m_stmt, index, value);
    if (rc != SQLITE_OK) fail(m_db, rc, m_file, "binding a value");
    return *this;
}

Statement& Statement::bind(int index, const std::string& value)
{
    const int rc = sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                       SQLITE_UTF8);
    if (rc != SQLITE_OK) fail(m_db, rc, m_file, "binding a value");
    return *this;
}

Statement& Statement::bindBlob(int index, const void* data, std::size_t size)
{
    const int rc = sqlite3_bind_blob64(m_stmt, index, size ? data : "", size, SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) fail(m_db, rc, m_file, "binding a value");
    return *this;
}

Statement& Statement::bindNull(int index)
{
    const int rc = sqlite3_bind_null(m_stmt, index);
    if (rc != SQLITE_OK) fail(m_db, rc, m_file, "binding a value");
    return *this;
}

bool Statement::step(const std::string& what)
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3_reset(m_stmt);
    fail(m_db, rc, m_file, what);
}

void Statement::run(const std::string& what)
{
    while (step(what)) {
    }
    reset();
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

std::int64_t Statement::int64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::real(int column) const
{
    return sqlite3_column_double(m_stmt, column);
}

std::string Statement::text(int column) const
{
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
    return p ? std::string(p, std::size_t(sqlite3_column_bytes(m_stmt, column))) : std::string();
}

std::vector<unsigned char> Statement::blob(int column) const
{
    const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(m_stmt, column));
    const auto n = std::size_t(sqlite3_column_bytes(m_stmt, column));
    return p ? std::vector<unsigned char>(p, p + n) : std::vector<unsigned char>();
}

} // namespace wb::store::sql
