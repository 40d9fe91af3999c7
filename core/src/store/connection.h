#pragma once

// The backend-neutral database connection behind RunStore: SQLite (sqlite_connection.cpp) or
// PostgreSQL (postgres_connection.cpp). Queries are written once, in SQLite's spelling with `?`
// placeholders; dialect.cpp turns them into the server's.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wb::store::sql {

enum class Dialect { Sqlite, Postgres };

// The storage class of one value in a row, as SQLite names them.
enum class Kind { Null, Integer, Real, Text, Blob };

// One backend's prepared statement: bindings, then rows. Used through Statement.
class Cursor {
public:
    virtual ~Cursor() = default;
    virtual void bindInt64(int index, std::int64_t value) = 0;
    virtual void bindDouble(int index, double value) = 0; // NaN is stored as NULL
    virtual void bindText(int index, const std::string& value) = 0;
    virtual void bindBlob(int index, const void* data, std::size_t size) = 0;
    virtual void bindNull(int index) = 0;
    virtual bool step(const std::string& what) = 0; // true while a row is available
    virtual void reset() = 0;                       // keeps the bindings
    virtual bool isNull(int column) const = 0;
    virtual std::int64_t int64(int column) const = 0;
    virtual double real(int column) const = 0;
    virtual std::string text(int column) const = 0;
    virtual std::vector<unsigned char> blob(int column) const = 0;
    // For copying whole tables: the row's shape.
    virtual int columnCount() const = 0;
    virtual std::string columnName(int column) const = 0;
    virtual Kind kind(int column) const = 0;
};

// A prepared statement; owned by one connection and used on that connection's thread only.
class Statement {
public:
    explicit Statement(std::unique_ptr<Cursor> cursor) : m_cursor(std::move(cursor)) {}
    Statement(Statement&&) noexcept = default;
    Statement& operator=(Statement&&) noexcept = default;

    // Indexes start at 1, as SQLite's and libpq's do.
    Statement& bind(int index, std::int64_t value)
    {
        m_cursor->bindInt64(index, value);
        return *this;
    }
    Statement& bind(int index, int value) { return bind(index, std::int64_t(value)); }
    Statement& bind(int index, double value)
    {
        m_cursor->bindDouble(index, value);
        return *this;
    }
    Statement& bind(int index, const std::string& value)
    {
        m_cursor->bindText(index, value);
        return *this;
    }
    Statement& bindBlob(int index, const void* data, std::size_t size)
    {
        m_cursor->bindBlob(index, data, size);
        return *this;
    }
    Statement& bindNull(int index)
    {
        m_cursor->bindNull(index);
        return *this;
    }

    bool step(const std::string& what) { return m_cursor->step(what); }
    // Steps to completion, ignoring rows, and resets for the next bind/run.
    void run(const std::string& what)
    {
        while (step(what)) {
        }
        reset();
    }
    void reset() { m_cursor->reset(); }

    bool isNull(int column) const { return m_cursor->isNull(column); }
    std::int64_t int64(int column) const { return m_cursor->int64(column); }
    int integer(int column) const { return int(int64(column)); }
    double real(int column) const { return m_cursor->real(column); }
    std::string text(int column) const { return m_cursor->text(column); }
    std::vector<unsigned char> blob(int column) const { return m_cursor->blob(column); }
    int columnCount() const { return m_cursor->columnCount(); }
    std::string columnName(int column) const { return m_cursor->columnName(column); }
    Kind kind(int column) const { return m_cursor->kind(column); }

private:
    std::unique_ptr<Cursor> m_cursor;
};

// What decides whether a store may touch a database at all.
struct Header {
    int version = 0;      // 0: no workbench schema yet
    bool foreign = false; // tables of another program, or another program's marker
};

// One open database, owned by one RunStore (or a workspace copy). Not thread-safe: one thread
// at a time. Every failure throws wb::Error
// "<display name>: <what>: <reason>" (the display name never holds a password).
class Connection {
public:
    virtual ~Connection() = default;
    virtual Dialect dialect() const = 0;
    virtual Statement prepare(std::string_view text) = 0;
    // Runs one or more statements without parameters or results.
    virtual void exec(const std::string& text, const std::string& what) = 0;
    virtual std::int64_t lastInsertId() = 0; // of the last INSERT on this connection
    virtual std::int64_t changes() = 0;      // rows changed by the last statement
    // A write transaction that holds the workspace's write lock from the start (SQLite: BEGIN
    // IMMEDIATE; PostgreSQL: an advisory lock), so one writer at a time, on either backend.
    virtual void begin(const std::string& what) = 0;
    virtual void commit(const std::string& what) = 0;
    virtual void rollback() noexcept = 0; // also when the server rolled back by itself
    virtual std::string serverVersion() = 0;
    // What tells this database from others of its backend: the absolute file path, or
    // "<database>@<host>_<port>" (names the default artifacts folder of a server workspace).
    virtual std::string identity() const = 0;

    virtual Header header() = 0;
    // Inside a begin() transaction: records the schema version.
    virtual void setVersion(int version) = 0;
    // Refuses damaged storage (SQLite's quick_check); servers keep their pages themselves.
    virtual void checkIntegrity() = 0;
    // After the header and integrity checks passed (a refused database stays untouched).
    virtual void configureForWriting() = 0;
    // Caps the database size: writes beyond fail like a full disk (tests, quotas).
    virtual void limitSize(std::int64_t maxBytes) = 0;
};

// How a store opens its database; shared by both backends.
struct OpenRequest {
    bool readOnly = false;
    bool create = true;       // SQLite: create the file (and its folders) when missing
    int busyTimeoutMs = 5000; // wait for another writer's lock before failing (ms)
};

// A SQLite file or, for a postgresql:// URI, a server database (see workspace_location.h).
// Messages name `display`.
std::unique_ptr<Connection> connect(const std::string& db, const std::string& display,
                                    const OpenRequest& request);

} // namespace wb::store::sql
