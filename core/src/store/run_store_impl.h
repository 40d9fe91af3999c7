#pragma once

// The connection behind RunStore, shared by the files that implement its parts (runs and
// metrics, the zoo, experiments).

#include "connection.h"
#include "dialect.h"
#include "schema.h"

#include "wb/common/error.h"
#include "wb/darts/collapse.h"
#include "wb/store/run_store.h"

#include <bit>
#include <cerrno>
#include <chrono>
#include <functional>
#include <limits>
#include <memory>
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

inline std::optional<RunStatus> parseStatus(const std::string& name)
{
    for (auto s : {RunStatus::Running, RunStatus::Done, RunStatus::Cancelled, RunStatus::Failed,
                   RunStatus::Interrupted})
        if (statusName(s) == name) return s;
    return std::nullopt;
}

// Both backends store NaN as NULL; this keeps the distinction readable on the way back.
inline double realOrNaN(const sql::Statement& s, int column)
{
    return s.isNull(column) ? kNaN : s.real(column);
}

} // namespace detail

struct RunStore::Impl {
    std::unique_ptr<sql::Connection> db;
    std::string path; // for messages: a URI without its password
    std::string artifacts;
    Options options;
    bool readOnly = false;
    int txDepth = 0;
    bool txAborted = false;
    std::string host = detail::hostName();

    bool onServer() const { return db->dialect() == sql::Dialect::Postgres; }
    const char* backendName() const { return onServer() ? "PostgreSQL" : "SQLite"; }

    sql::Statement prepare(std::string_view text) { return db->prepare(text); }
    // The checkpoint file `path` into run_files / run_file_chunks under a staging name, read and
    // written 1 MiB at a time, each chunk in its own write transaction (run by `inTransaction`):
    // other writers wait for one chunk at most, not the whole file. Returns the staging name;
    // on failure the staged part is dropped and the error rethrown.
    std::string stageRunFile(std::int64_t runId, const std::string& path,
                             const std::function<void(const std::function<void()>&)>& inTransaction);
    // Inside the caller's transaction: the staged copy becomes the copy named after the file
    // (replacing an older one), and staged copies of this run left for over an hour by a
    // process that died mid-upload are dropped.
    void commitRunFile(std::int64_t runId, const std::string& staged, const std::string& name);
    void exec(const std::string& text, const std::string& what) { db->exec(text, what); }

    void requireRun(std::int64_t id)
    {
        auto s = prepare("SELECT 1 FROM runs WHERE id = ?");
        s.bind(1, id);
        if (!s.step("looking up run " + std::to_string(id)))
            throw Error("run " + std::to_string(id) + " not found in " + path);
    }

    // Reads what decides whether we may touch the database at all; writes nothing.
    int checkHeader()
    {
        const auto header = db->header();
        if (header.version > kSchemaVersion)
            throw Error(path + ": written by a newer version of Supernet Workbench (schema " +
                        std::to_string(header.version) + ", this build knows up to " +
                        std::to_string(kSchemaVersion) +
                        "); upgrade supernet or choose another --db. The " +
                        (onServer() ? "database" : "file") + " was not modified.");
        if (header.foreign)
            throw Error(path + ": a " + backendName() +
                        " database of another program (no workbench schema); choose another " +
                        (onServer() ? "database" : "file") + " with --db. The " +
                        (onServer() ? "database" : "file") + " was not modified.");
        return header.version;
    }

    // Applies the migrations the database lacks, each in its own transaction together with
    // its version. Another process may be migrating too: each step re-reads the version under
    // the write lock.
    void migrate()
    {
        int version = db->header().version;
        for (const auto& m : migrations()) {
            if (version >= m.version) continue;
            db->begin("starting the schema upgrade");
            try {
                version = checkHeader();
                if (version < m.version) {
                    exec(sql::schemaText(m.sql, db->dialect()),
                         "upgrading the schema to version " + std::to_string(m.version));
                    db->setVersion(m.version);
                    version = m.version;
                }
                db->commit("upgrading the schema");
            } catch (...) {
                db->rollback();
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
            "SELECT r.id, r.kind, r.status, r.dataset_path, coalesce(r.dataset_fingerprint, ''), "
            "r.started_at, r.finished_at, r.host, r.pid, r.heartbeat_at, "
            "(SELECT count(*) FROM epochs e WHERE e.run_id = r.id), "
            "(SELECT max(val_acc) FROM epochs e WHERE e.run_id = r.id), "
            "(SELECT coalesce(sum(seconds), 0) FROM epochs e WHERE e.run_id = r.id), "
            "r.role, r.seed, r.test_acc, coalesce(t.zoo_name, ''), "
            "coalesce((SELECT min(i.message) FROM issues i WHERE i.run_id = r.id AND "
            "i.code = '" +
            std::string(darts::kCollapseStopCode) +
            "'), '') "
            "FROM runs r LEFT JOIN transfers t ON t.run_id = r.id" +
            std::string(only ? " WHERE r.id = ?" : "") + " ORDER BY r.id");
        if (only) q.bind(1, *only);
        while (q.step("listing runs")) {
            RunSummary r;
            r.id = q.int64(0);
            r.kind = q.text(1);
            r.status = detail::parseStatus(q.text(2)).value_or(RunStatus::Failed);
            // A reader cannot update the row; it still shows the truth.
            if (r.status == RunStatus::Running &&
                !deathReason(q.text(7), q.int64(8), q.real(9)).empty())
                r.status = RunStatus::Interrupted;
            r.datasetPath = q.text(3);
            r.datasetFingerprint = q.text(4);
            r.startedAt = q.real(5);
            if (!q.isNull(6)) r.finishedAt = q.real(6);
            r.epochs = q.integer(10);
            if (!q.isNull(11)) r.bestValAcc = q.real(11);
            r.seconds = q.real(12);
            r.role = q.text(13).empty() ? r.kind : q.text(13);
            r.seed = std::bit_cast<std::uint64_t>(q.int64(14));
            if (!q.isNull(15)) r.testAcc = q.real(15);
            r.warmStart = q.text(16);
            r.stopReason = q.text(17);
            out.push_back(std::move(r));
        }
        auto tags = prepare(std::string("SELECT run_id, tag FROM run_tags") +
                            (only ? " WHERE run_id = ?" : "") + " ORDER BY run_id, tag");
        if (only) tags.bind(1, *only);
        // Both lists are ordered by run id: one merge pass.
        auto row = out.begin();
        while (tags.step("listing run tags")) {
            const auto id = tags.int64(0);
            while (row != out.end() && row->id < id)
                ++row;
            if (row != out.end() && row->id == id) row->tags.push_back(tags.text(1));
        }
        return out;
    }
};

} // namespace wb::store
