#include "sqlite_connection.h"

#include "schema.h"

#include "wb/common/error.h"

#include <sqlite3.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include <unistd.h>

namespace fs = std::filesystem;

namespace wb::store::sql {
namespace {

// Throws wb::Error for a failed SQLite call: "<file>: <what>: <reason>", with a plain-language
// reason for the cases users meet (locked, full, not a database, read-only, cannot open).
[[noreturn]] void fail(sqlite3* db, int rc, const std::string& file, const std::string& what)
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

// access(2) on the database's folder: WAL creates its -wal and -shm files there.
bool folderWritable(const std::string& path)
{
    const auto folder = fs::path(path).parent_path();
    return ::access((folder.empty() ? fs::path(".") : folder).c_str(), W_OK) == 0;
}

// A sqlite3_stmt; borrows its connection, which outlives it.
class SqliteCursor final : public Cursor {
public:
    SqliteCursor(sqlite3* db, const std::string& file, std::string_view text)
        : m_db(db), m_file(file)
    {
        const int rc = sqlite3_prepare_v2(db, text.data(), int(text.size()), &m_stmt, nullptr);
        if (rc != SQLITE_OK) fail(db, rc, file, "preparing a query");
    }
    ~SqliteCursor() override { sqlite3_finalize(m_stmt); }

    void bindInt64(int index, std::int64_t value) override
    {
        check(sqlite3_bind_int64(m_stmt, index, value));
    }
    void bindDouble(int index, double value) override
    {
        check(sqlite3_bind_double(m_stmt, index, value));
    }
    void bindText(int index, const std::string& value) override
    {
        check(sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                  SQLITE_UTF8));
    }
    void bindBlob(int index, const void* data, std::size_t size) override
    {
        check(sqlite3_bind_blob64(m_stmt, index, size ? data : "", size, SQLITE_TRANSIENT));
    }
    void bindNull(int index) override { check(sqlite3_bind_null(m_stmt, index)); }

    bool step(const std::string& what) override
    {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        sqlite3_reset(m_stmt);
        fail(m_db, rc, m_file, what);
    }
    void reset() override { sqlite3_reset(m_stmt); }

    bool isNull(int column) const override
    {
        return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
    }
    std::int64_t int64(int column) const override { return sqlite3_column_int64(m_stmt, column); }
    double real(int column) const override { return sqlite3_column_double(m_stmt, column); }
    std::string text(int column) const override
    {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
        return p ? std::string(p, std::size_t(sqlite3_column_bytes(m_stmt, column)))
                 : std::string();
    }
    std::vector<unsigned char> blob(int column) const override
    {
        const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(m_stmt, column));
        const auto n = std::size_t(sqlite3_column_bytes(m_stmt, column));
        return p ? std::vector<unsigned char>(p, p + n) : std::vector<unsigned char>();
    }
    int columnCount() const override { return sqlite3_column_count(m_stmt); }
    std::string columnName(int column) const override
    {
        return sqlite3_column_name(m_stmt, column);
    }
    Kind kind(int column) const override
    {
        switch (sqlite3_column_type(m_stmt, column)) {
        case SQLITE_INTEGER:
            return Kind::Integer;
        case SQLITE_FLOAT:
            return Kind::Real;
        case SQLITE_TEXT:
            return Kind::Text;
        case SQLITE_BLOB:
            return Kind::Blob;
        default:
            return Kind::Null;
        }
    }

private:
    void check(int rc)
    {
        if (rc != SQLITE_OK) fail(m_db, rc, m_file, "binding a value");
    }

    sqlite3* m_db;
    const std::string& m_file;
    sqlite3_stmt* m_stmt = nullptr;
};

// One sqlite3 handle on one workspace file (or its immutable URI).
class SqliteConnection final : public Connection {
public:
    explicit SqliteConnection(std::string path) : m_path(std::move(path)) {}
    ~SqliteConnection() override { sqlite3_close_v2(m_db); }

    void open(const std::string& target, int flags, int busyTimeoutMs)
    {
        const int rc = sqlite3_open_v2(target.c_str(), &m_db, flags, nullptr);
        if (rc != SQLITE_OK) fail(m_db, rc, m_path, "opening the workspace");
        sqlite3_extended_result_codes(m_db, 1);
        sqlite3_busy_timeout(m_db, busyTimeoutMs);
        m_busyTimeoutMs = busyTimeoutMs;
    }

    Dialect dialect() const override { return Dialect::Sqlite; }

    Statement prepare(std::string_view text) override
    {
        return Statement(std::make_unique<SqliteCursor>(m_db, m_path, text));
    }

    void exec(const std::string& text, const std::string& what) override
    {
        char* message = nullptr;
        const int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &message);
        sqlite3_free(message); // sqlite3_errmsg() still holds the text for fail()
        if (rc != SQLITE_OK) fail(m_db, rc, m_path, what);
    }

    std::int64_t lastInsertId() override { return sqlite3_last_insert_rowid(m_db); }
    std::int64_t changes() override { return sqlite3_changes(m_db); }

    // IMMEDIATE takes the write lock up front, so a busy database waits in the busy handler
    // instead of failing later on a read-to-write upgrade.
    void begin(const std::string& what) override { exec("BEGIN IMMEDIATE", what); }
    void commit(const std::string& what) override { exec("COMMIT", what); }
    void rollback() noexcept override
    {
        // SQLite may already have rolled back by itself (e.g. after SQLITE_FULL).
        if (!sqlite3_get_autocommit(m_db))
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    std::string serverVersion() override { return sqlite3_libversion(); }
    std::string identity() const override { return fs::absolute(m_path).string(); }

    Header header() override
    {
        // One statement, so one snapshot: read one by one, a migration committed in between
        // (objects, application id and version at once) could pass for another program's file.
        auto s = prepare("SELECT (SELECT count(*) FROM sqlite_master), "
                         "(SELECT application_id FROM pragma_application_id), "
                         "(SELECT user_version FROM pragma_user_version)");
        s.step("reading the schema version");
        const auto objects = s.int64(0), appId = s.int64(1), version = s.int64(2);
        return {int(version),
                (version == 0 && objects > 0) || (version > 0 && appId != kApplicationId)};
    }

    void setVersion(int version) override
    {
        exec("PRAGMA application_id = " + std::to_string(kApplicationId) +
                 "; PRAGMA user_version = " + std::to_string(version),
             "upgrading the schema");
    }

    // PRAGMA quick_check: a damaged page would otherwise be read as made-up rows (issue 14).
    // It reads every page once (well under a second for a workspace of tens of MB).
    void checkIntegrity() override
    {
        auto s = prepare("PRAGMA quick_check(5)");
        std::string problems;
        while (s.step("checking the database")) {
            const auto line = s.text(0);
            if (line == "ok") continue;
            problems += (problems.empty() ? "" : "; ") + line;
        }
        if (!problems.empty()) throw Error(m_path + ": " + damagedAdvice(problems));
    }

    void limitSize(std::int64_t maxBytes) override
    {
        const auto pageSize = scalar("PRAGMA page_size");
        const auto pages =
            std::max<std::int64_t>(1, maxBytes / std::max<std::int64_t>(1, pageSize));
        auto s = prepare("PRAGMA max_page_count = " + std::to_string(pages));
        s.step("limiting the database size");
    }

    void configureForWriting() override
    {
        // Switching a fresh file to WAL needs an exclusive lock, and where waiting for it could
        // deadlock (two first opens at once, each holding a shared lock) SQLite answers BUSY at
        // once instead of calling the busy handler: retry for the busy timeout.
        const auto deadline = std::chrono::steady_clock::now() +
                              std::chrono::milliseconds(m_busyTimeoutMs);
        while (true) {
            const int rc = sqlite3_exec(m_db, "PRAGMA journal_mode = WAL", nullptr, nullptr,
                                        nullptr);
            if (rc == SQLITE_OK) break;
            if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline)
                fail(m_db, rc, m_path, "switching to WAL");
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        // FULL syncs the WAL at every commit: a power cut loses at most the batch in flight,
        // not everything since the last checkpoint (NORMAL's guarantee in WAL mode).
        exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", "configuring the connection");
    }

private:
    std::int64_t scalar(const char* text)
    {
        auto s = prepare(text);
        return s.step("reading the database header") ? s.int64(0) : 0;
    }

    std::string m_path;
    sqlite3* m_db = nullptr;
    int m_busyTimeoutMs = 0;
};

} // namespace

std::unique_ptr<Connection> openSqlite(const std::string& path, const OpenRequest& request)
{
    std::error_code ec;
    auto db = std::make_unique<SqliteConnection>(path);
    if (request.readOnly) {
        if (!fs::is_regular_file(path, ec)) throw Error(path + ": no workspace database there");
        // A reader of a WAL database creates the -shm file unless it exists; where it cannot,
        // the file is opened immutable: no writer can be at work in a folder nobody may write.
        const bool immutable = !folderWritable(path) && !fs::exists(path + "-shm", ec);
        if (immutable)
            db->open(immutableUri(path), SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                     request.busyTimeoutMs);
        else
            db->open(path, SQLITE_OPEN_READONLY, request.busyTimeoutMs);
        return db;
    }
    if (fs::is_directory(path, ec))
        throw Error(path + ": is a folder; --db takes the database file");
    const bool exists = fs::exists(path, ec);
    if (!exists && !request.create) throw Error(path + ": no workspace database there");
    const auto parent = fs::path(path).parent_path();
    if (!parent.empty() && !fs::is_directory(parent, ec)) {
        fs::create_directories(parent, ec);
        if (ec)
            throw Error(path + ": cannot create the folder " + parent.string() + ": " +
                        ec.message());
    }
    // Refuse here, clearly, rather than with SQLite's "attempt to write a readonly database"
    // halfway through opening.
    const bool fileReadOnly = exists && ::access(path.c_str(), W_OK) != 0;
    if (fileReadOnly || !folderWritable(path))
        throw Error(path + ": the workspace is read-only (" +
                    (fileReadOnly ? "the file" : "its folder") +
                    " cannot be written): it can be read (runs list, runs show, zoo list, the "
                    "workbench) but not changed; copy it to a writable folder to record runs");
    db->open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, request.busyTimeoutMs);
    return db;
}

bool sqliteWritable(const std::string& path)
{
    return ::access(path.c_str(), W_OK) == 0 && folderWritable(path);
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

} // namespace wb::store::sql
