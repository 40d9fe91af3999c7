#pragma once

// The connection behind RunStore, shared by the files that implement its parts (runs and
// metrics, the zoo, experiments).

#include "schema.h"
#include "sqlite.h"

#include "wb/common/error.h"
#include "wb/store/run_store.h"

#include <cerrno>
#include <chrono>
#include <limits>
#include <optional>
#include <string>

#include <signal.h>
#include <unistd.h>

namespace wb::store {
namespace detail {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline double now()
{
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

inline std::string hostName()
{
    char buffer[256] = {};
    if (gethostname(buffer, sizeof buffer - 1) != 0) return "unknown";
    return buffer;
}

inline bool processAlive(std::int64_t pid)
{
    if (pid <= 0) return false;
    // EPERM means the process exists but belongs to someone else.
    return kill(pid_t(pid), 0) == 0 || errno != ESRCH;
}

inline std::optional<darts::RunStatus> parseStatus(const std::string& name)
{
    using darts::RunStatus;
    for (auto s : {RunStatus::Running, RunStatus::Done, RunStatus::Cancelled, RunStatus::Failed,
                   RunStatus::Interrupted})
        if (darts::statusName(s) == name) return s;
    return std::nullopt;
}

// SQLite turns NaN into NULL on bind; this keeps the distinction readable on the way back.
inline double realOrNaN(const sql::Statement& s, int column)
{
    return s.isNull(column) ? kNaN : s.real(column);
}

} // namespace detail

struct RunStore::Impl {
    sqlite3* db = nullptr;
    std::string path;
    Options options;
    bool readOnly = false;
    int txDepth = 0;
    bool txAborted = false;
    std::string host = detail::hostName();

    ~Impl()
    {
        if (db) sqlite3_close_v2(db);
    }

    sql::Statement prepare(std::string_view text) { return sql::Statement(db, path, text); }
    void exec(const char* text, const std::string& what) { sql::exec(db, path, text, what); }

    std::int64_t pragmaInt(const char* text)
    {
        auto s = prepare(text);
        return s.step("reading the database header") ? s.int64(0) : 0;
    }

    void requireRun(std::int64_t id)
    {
        auto s = prepare("SELECT 1 FROM runs WHERE id = ?");
        s.bind(1, id);
        if (!s.step("looking up run " + std::to_string(id)))
            throw Error("run " + std::to_string(id) + " not found in " + path);
    }

    // Reads what decides whether we may touch the file at all; writes nothing.
    void checkHeader()
    {
        const auto appId = pragmaInt("PRAGMA application_id");
        const auto version = pragmaInt("PRAGMA user_version");
        const auto objects = pragmaInt("SELECT count(*) FROM sqlite_master");
        if (version > kSchemaVersion)
            throw Error(path + ": written by a newer version of Supernet Workbench (schema " +
                        std::to_string(version) + ", this build knows up to " +
                        std::to_string(kSchemaVersion) +
                        "); upgrade supernet or choose another --db. The file was not modified.");
        if ((version == 0 && objects > 0) || (version > 0 && appId != kApplicationId))
            throw Error(path + ": a SQLite database of another program (no workbench schema); "
                               "choose another file with --db. The file was not modified.");
    }

    // PRAGMA quick_check: a damaged page would otherwise be read as made-up rows (issue 14).
    // It reads every page once (well under a second for a workspace of tens of MB).
    void checkIntegrity()
    {
        auto s = prepare("PRAGMA quick_check(5)");
        std::string problems;
        while (s.step("checking the database")) {
            const auto line = s.text(0);
            if (line == "ok") continue;
            problems += (problems.empty() ? "" : "; ") + line;
        }
        if (!problems.empty()) throw Error(path + ": " + sql::damagedAdvice(problems));
    }

    void migrate()
    {
        for (const auto& m : migrations()) {
            if (pragmaInt("PRAGMA user_version") >= m.version) continue;
            exec("BEGIN IMMEDIATE", "starting the schema upgrade");
            try {
                // Another process may have migrated between our check and our lock.
                if (pragmaInt("PRAGMA user_version") < m.version) {
                    exec(m.sql, "upgrading the schema to version " + std::to_string(m.version));
                    const auto pragmas =
                        "PRAGMA application_id = " + std::to_string(kApplicationId) +
                        "; PRAGMA user_version = " + std::to_string(m.version);
                    exec(pragmas.c_str(), "upgrading the schema");
                }
                exec("COMMIT", "upgrading the schema");
            } catch (...) {
                if (!sqlite3_get_autocommit(db))
                    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
                throw;
            }
        }
    }

    // Why a running row is dead, or empty if it may still be alive.
    std::string deathReason(const std::string& runHost, std::int64_t pid, double heartbeatAt) const
    {
        if (runHost == host && !detail::processAlive(pid))
            return "process " + std::to_string(pid) + " on " + runHost +
                   " ended without finishing the run";
        if (detail::now() - heartbeatAt > options.staleHeartbeatSeconds)
            return "no heartbeat from process " + std::to_string(pid) + " on " + runHost +
                   " since " + isoTime(heartbeatAt);
        return {};
    }

    // One query for `runs list` and `runs show`; `only` restricts it to one run.
    std::vector<RunSummary> summaries(std::optional<std::int64_t> only)
    {
        std::vector<RunSummary> out;
        auto q = prepare(
            "SELECT r.id, r.kind, r.status, r.dataset_path, ifnull(r.dataset_fingerprint, ''), "
            "r.started_at, r.finished_at, r.host, r.pid, r.heartbeat_at, "
            "(SELECT count(*) FROM epochs e WHERE e.run_id = r.id), "
            "(SELECT max(val_acc) FROM epochs e WHERE e.run_id = r.id), "
            "(SELECT total(seconds) FROM epochs e WHERE e.run_id = r.id) "
            "FROM runs r WHERE ?1 IS NULL OR r.id = ?1 ORDER BY r.id");
        if (only)
            q.bind(1, *only);
        else
            q.bindNull(1);
        while (q.step("listing runs")) {
            RunSummary r;
            r.id = q.int64(0);
            r.kind = q.text(1);
            r.status = detail::parseStatus(q.text(2)).value_or(darts::RunStatus::Failed);
            // A reader cannot update the row; it still shows the truth.
            if (r.status == darts::RunStatus::Running &&
                !deathReason(q.text(7), q.int64(8), q.real(9)).empty())
                r.status = darts::RunStatus::Interrupted;
            r.datasetPath = q.text(3);
            r.datasetFingerprint = q.text(4);
            r.startedAt = q.real(5);
            if (!q.isNull(6)) r.finishedAt = q.real(6);
            r.epochs = q.integer(10);
            if (!q.isNull(11)) r.bestValAcc = q.real(11);
            r.seconds = q.real(12);
            out.push_back(std::move(r));
        }
        return out;
    }
};

} // namespace wb::store
