#include "postgres_connection.h"

#include "dialect.h"

#include "wb/common/error.h"
#include "wb/store/workspace_location.h"

#include <libpq-fe.h>
#include <sys/select.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <cmath>
#include <cstdlib>
#include <optional>

namespace wb::store::sql {
namespace {

// Type OIDs of pg_type.h (stable across server versions).
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25,
              kFloat4 = 700, kFloat8 = 701;
// The workspace's write lock: pg_advisory_xact_lock key ("WBWS", as SQLite's application_id).
constexpr long kWriteLock = 0x57425753;
constexpr const char* kApplication = "supernet-workbench";

std::string trimmed(std::string s)
{
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

// "<display>: <what>: <reason>", in the words SQLite's errors use for the same situations.
[[noreturn]] void fail(PGconn* conn, const PGresult* res, const std::string& display,
                       const std::string& what)
{
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const std::string code = state ? state : "";
    const std::string detail = primary ? primary : trimmed(PQerrorMessage(conn));
    std::string reason;
    if (code == "55P03" || code == "40P01" || code == "40001")
        reason = "the database is locked by another process (" + detail +
                 "); try again when the other run or program has finished";
    else if (code.starts_with("53"))
        reason = "the server's disk or quota is full (" + detail +
                 "); rows written before are intact: free some space and resume the run";
    else if (code == "25006")
        reason = "the workspace is read-only here (" + detail + ")";
    else if (code == "42501")
        reason = "permission denied (" + detail + ")";
    else if (code.starts_with("08") || PQstatus(conn) == CONNECTION_BAD)
        reason = "lost the connection to the workspace server (" + detail + ")";
    else
        reason = detail;
    throw Error(display + ": " + what + ": " + reason);
}

// Frees a PGresult on every path.
struct Result {
    PGresult* res = nullptr;
    explicit Result(PGresult* r) : res(r) {}
    Result(const Result&) = delete;
    ~Result() { PQclear(res); }
    bool ok() const
    {
        const auto s = PQresultStatus(res);
        return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
    }
};

std::string bigEndian(std::uint64_t bits)
{
    std::string out(8, '\0');
    for (int i = 7; i >= 0; --i, bits >>= 8)
        out[std::size_t(i)] = char(bits & 0xff);
    return out;
}

std::uint64_t fromBigEndian(const char* p, int n)
{
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
        v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

class PostgresConnection;

// Parameters go as binary int8/float8/bytea or text; rows come back binary. The statement is
// executed by the first step(), all rows at once (the store's result sets are small).
class PostgresCursor final : public Cursor {
public:
    PostgresCursor(PostgresConnection& db, std::string_view text)
        : m_db(db), m_text(numberedPlaceholders(text))
    {
    }
    ~PostgresCursor() override { PQclear(m_res); }

    void bindInt64(int index, std::int64_t value) override
    {
        set(index, bigEndian(std::uint64_t(value)), kInt8, 1);
    }
    void bindDouble(int index, double value) override
    {
        // SQLite stores NaN as NULL; the same convention keeps both backends' rows alike.
        if (std::isnan(value)) return bindNull(index);
        set(index, bigEndian(std::bit_cast<std::uint64_t>(value)), kFloat8, 1);
    }
    void bindText(int index, const std::string& value) override { set(index, value, kText, 0); }
    void bindBlob(int index, const void* data, std::size_t size) override
    {
        set(index, std::string(static_cast<const char*>(data), size), kBytea, 1);
    }
    void bindNull(int index) override { set(index, std::nullopt, 0, 0); }

    bool step(const std::string& what) override;
    void reset() override
    {
        PQclear(m_res);
        m_res = nullptr;
        m_row = -1;
    }

    bool isNull(int column) const override { return PQgetisnull(m_res, m_row, column); }
    std::int64_t int64(int column) const override
    {
        if (isNull(column)) return 0;
        const char* p = PQgetvalue(m_res, m_row, column);
        switch (PQftype(m_res, column)) {
        case kInt8:
            return std::int64_t(fromBigEndian(p, 8));
        case kInt4:
            return std::int32_t(fromBigEndian(p, 4));
        case kInt2:
            return std::int16_t(fromBigEndian(p, 2));
        case kBool:
            return p[0] != 0;
        default:
            return std::int64_t(real(column));
        }
    }
    double real(int column) const override
    {
        if (isNull(column)) return 0;
        const char* p = PQgetvalue(m_res, m_row, column);
        switch (PQftype(m_res, column)) {
        case kFloat8:
            return std::bit_cast<double>(fromBigEndian(p, 8));
        case kFloat4:
            return std::bit_cast<float>(std::uint32_t(fromBigEndian(p, 4)));
        case kInt8:
        case kInt4:
        case kInt2:
        case kBool:
            return double(int64(column));
        default:
            return std::strtod(text(column).c_str(), nullptr);
        }
    }
    std::string text(int column) const override
    {
        return {PQgetvalue(m_res, m_row, column), std::size_t(PQgetlength(m_res, m_row, column))};
    }
    std::vector<unsigned char> blob(int column) const override
    {
        const auto* p = reinterpret_cast<const unsigned char*>(PQgetvalue(m_res, m_row, column));
        return {p, p + PQgetlength(m_res, m_row, column)};
    }
    int columnCount() const override { return PQnfields(m_res); }
    std::string columnName(int column) const override { return PQfname(m_res, column); }
    Kind kind(int column) const override
    {
        if (isNull(column)) return Kind::Null;
        switch (PQftype(m_res, column)) {
        case kInt8:
        case kInt4:
        case kInt2:
        case kBool:
            return Kind::Integer;
        case kFloat8:
        case kFloat4:
            return Kind::Real;
        case kBytea:
            return Kind::Blob;
        default:
            return Kind::Text;
        }
    }

private:
    void set(int index, std::optional<std::string> value, Oid type, int format)
    {
        const auto i = std::size_t(index - 1);
        if (m_values.size() <= i) {
            m_values.resize(i + 1);
            m_types.resize(i + 1, 0);
            m_formats.resize(i + 1, 0);
        }
        m_values[i] = std::move(value);
        m_types[i] = type;
        m_formats[i] = format;
    }

    PostgresConnection& m_db;
    std::string m_text;
    std::vector<std::optional<std::string>> m_values;
    std::vector<Oid> m_types;
    std::vector<int> m_formats;
    PGresult* m_res = nullptr;
    int m_row = -1;
};

// One PGconn to one database; remembers the rows changed by its last statement.
class PostgresConnection final : public Connection {
public:
    PostgresConnection(PGconn* conn, std::string display)
        : m_conn(conn), m_display(std::move(display))
    {
    }
    ~PostgresConnection() override { PQfinish(m_conn); }

    PGconn* conn() const { return m_conn; }
    const std::string& display() const { return m_display; }
    void setChanges(std::int64_t n) { m_changes = n; }

    Dialect dialect() const override { return Dialect::Postgres; }

    Statement prepare(std::string_view text) override
    {
        return Statement(std::make_unique<PostgresCursor>(*this, text));
    }

    void exec(const std::string& text, const std::string& what) override
    {
        Result r(PQexec(m_conn, text.c_str()));
        if (!r.ok()) fail(m_conn, r.res, m_display, what);
    }

    std::int64_t lastInsertId() override
    {
        // The identity column's sequence, as advanced by this session's last INSERT.
        auto s = prepare("SELECT lastval()");
        return s.step("reading the new row's id") ? s.int64(0) : 0;
    }
    std::int64_t changes() override { return m_changes; }

    // One writer at a time, as SQLite's BEGIN IMMEDIATE: the store's read-then-write
    // transactions (resume, zoo names, checkpoints) rely on it. The lock waits up to
    // lock_timeout and is released by COMMIT or ROLLBACK.
    void begin(const std::string& what) override
    {
        try {
            exec("BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(kWriteLock) + ")", what);
        } catch (...) {
            rollback();
            throw;
        }
    }
    void commit(const std::string& what) override
    {
        // COMMIT of a failed transaction "succeeds" as a ROLLBACK: say so instead.
        if (PQtransactionStatus(m_conn) == PQTRANS_INERROR) {
            rollback();
            throw Error(m_display + ": " + what + ": a statement failed; nothing was saved");
        }
        // Listeners (the workbench) hear of every committed write; delivered at COMMIT only.
        exec("NOTIFY " + std::string(kChangeChannel) + "; COMMIT", what);
    }
    void rollback() noexcept override
    {
        if (PQtransactionStatus(m_conn) != PQTRANS_IDLE) PQclear(PQexec(m_conn, "ROLLBACK"));
    }
    std::string serverVersion() override
    {
        const char* v = PQparameterStatus(m_conn, "server_version");
        return std::string("PostgreSQL ") + (v ? v : "?");
    }
    std::string identity() const override
    {
        return std::string(PQdb(m_conn)) + "@" + PQhost(m_conn) + "_" + PQport(m_conn);
    }

    // PRAGMA user_version and application_id become one row of `workbench_schema`.
    Header header() override
    {
        // Tables first, our marker second: a migration commits both at once, so tables seen
        // without the marker are another program's even while another process migrates.
        auto n = prepare("SELECT count(*) FROM information_schema.tables "
                         "WHERE table_schema = current_schema()");
        n.step("reading the workspace header");
        const bool tables = n.int64(0) > 0;
        auto t = prepare("SELECT to_regclass('workbench_schema') IS NOT NULL");
        t.step("reading the workspace header");
        if (!t.int64(0)) return {0, tables};
        auto v = prepare("SELECT application, version FROM workbench_schema");
        if (!v.step("reading the workspace header")) return {0, true};
        return {int(v.int64(1)), v.text(0) != kApplication};
    }

    void setVersion(int version) override
    {
        exec("CREATE TABLE IF NOT EXISTS workbench_schema (application TEXT NOT NULL, "
             "version BIGINT NOT NULL); DELETE FROM workbench_schema",
             "upgrading the schema");
        auto s = prepare("INSERT INTO workbench_schema (application, version) VALUES (?, ?)");
        s.bind(1, std::string(kApplication)).bind(2, version).run("upgrading the schema");
    }

    void checkIntegrity() override {}
    void configureForWriting() override {}

    void limitSize(std::int64_t) override
    {
        throw Error(m_display + ": a size limit is set on the server (quotas, tablespaces), "
                                "not by the workbench");
    }

private:
    PGconn* m_conn;
    std::string m_display;
    std::int64_t m_changes = 0;
};

bool PostgresCursor::step(const std::string& what)
{
    if (!m_res) {
        const auto n = m_values.size();
        std::vector<const char*> values(n);
        std::vector<int> lengths(n);
        for (std::size_t i = 0; i < n; ++i) {
            values[i] = m_values[i] ? m_values[i]->data() : nullptr;
            lengths[i] = m_values[i] ? int(m_values[i]->size()) : 0;
        }
        m_res = PQexecParams(m_db.conn(), m_text.c_str(), int(n), m_types.data(), values.data(),
                             lengths.data(), m_formats.data(), 1);
        const auto status = PQresultStatus(m_res);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            Result failed(m_res);
            m_res = nullptr;
            fail(m_db.conn(), failed.res, m_db.display(), what);
        }
        const char* tuples = PQcmdTuples(m_res);
        m_db.setChanges(tuples && *tuples ? std::atoll(tuples) : 0);
    }
    return ++m_row < PQntuples(m_res);
}

void quiet(void*, const char*) {}

} // namespace

namespace {

class PostgresListener final : public ChangeListener {
public:
    PostgresListener(PGconn* conn, std::string display)
        : m_conn(conn), m_display(std::move(display))
    {
    }
    ~PostgresListener() override { PQfinish(m_conn); }

    bool wait(double seconds) override
    {
        if (drain()) return true;
        const int socket = PQsocket(m_conn);
        if (socket < 0) throw Error(m_display + ": the connection to the server was lost");
        fd_set ready;
        FD_ZERO(&ready);
        FD_SET(socket, &ready);
        timeval timeout{long(seconds), long((seconds - long(seconds)) * 1e6)};
        if (select(socket + 1, &ready, nullptr, nullptr, &timeout) < 0 && errno != EINTR)
            throw Error(m_display + ": waiting for changes failed: " + std::strerror(errno));
        return drain();
    }

private:
    bool drain()
    {
        if (!PQconsumeInput(m_conn))
            throw Error(m_display + ": the connection to the server was lost (" +
                        trimmed(PQerrorMessage(m_conn)) + ")");
        bool any = false;
        while (PGnotify* n = PQnotifies(m_conn)) {
            any = true;
            PQfreemem(n);
        }
        return any;
    }

    PGconn* m_conn;
    std::string m_display;
};

} // namespace

std::unique_ptr<ChangeListener> openPostgresListener(const std::string& uri,
                                                     const std::string& display)
{
    PGconn* conn = PQconnectdb(uri.c_str());
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        const auto message =
            conn ? withoutPasswords(trimmed(PQerrorMessage(conn)), uri) : "out of memory";
        PQfinish(conn);
        throw Error(display + ": cannot connect to the workspace server (" + message + ")");
    }
    PQsetNoticeProcessor(conn, quiet, nullptr);
    PGresult* r = PQexec(conn, ("LISTEN " + std::string(kChangeChannel)).c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        const auto message = trimmed(PQerrorMessage(conn));
        PQfinish(conn);
        throw Error(display + ": cannot listen for changes (" + message + ")");
    }
    return std::make_unique<PostgresListener>(conn, display);
}

std::unique_ptr<Connection> openPostgres(const std::string& uri, const std::string& display,
                                         const OpenRequest& request)
{
    PGconn* conn = PQconnectdb(uri.c_str());
    if (!conn) throw Error(display + ": cannot connect to the workspace server: out of memory");
    if (PQstatus(conn) != CONNECTION_OK) {
        // libpq quotes a URI part it cannot parse, which may be the password.
        const auto message = withoutPasswords(trimmed(PQerrorMessage(conn)), uri);
        PQfinish(conn);
        throw Error(display + ": cannot connect to the workspace server (" + message +
                    "); check the URI, that the server runs, and the password (~/.pgpass)");
    }
    // libpq prints NOTICEs on stderr by default (e.g. "relation exists, skipping").
    PQsetNoticeProcessor(conn, quiet, nullptr);
    auto db = std::make_unique<PostgresConnection>(conn, display);
    db->exec("SET lock_timeout = " + std::to_string(request.busyTimeoutMs), "configuring the "
                                                                            "connection");
    if (request.readOnly)
        db->exec("SET default_transaction_read_only = on", "configuring the connection");
    return db;
}

} // namespace wb::store::sql
