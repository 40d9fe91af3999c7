#pragma once

#include "wb/darts/genotype.h"
#include "wb/darts/observer.h"
#include "wb/store/job_queue.h"
#include "wb/store/transfer_records.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wb::store {

// Schema version this build writes (SQLite: PRAGMA user_version; PostgreSQL: the
// workbench_schema table); newer databases are refused.
inline constexpr int kSchemaVersion = 8;

// `$XDG_DATA_HOME/supernet-workbench/workspace.sqlite`, falling back to
// `~/.local/share/supernet-workbench/workspace.sqlite` (XDG base directory spec). Shared by every
// command that takes `--db FILE`. `SUPERNET_DB` overrides it: see defaultWorkspace()
// (workspace_location.h).
std::string defaultWorkspacePath();

// "2024-05-01T12:34:56Z" for a Unix time in seconds (UTC); empty for 0.
std::string isoTime(double unixSeconds);

// What a process knows when it starts a run.
struct NewRun {
    std::string kind;       // "search", "train", ...
    std::string configJson; // stored verbatim
    std::uint64_t seed = 0;
    std::string datasetPath;
    std::string appVersion;
    std::string libraryVersions; // e.g. "libtorch 2.3.1"; the store adds its database version
    std::string directory; // the run's folder (checkpoints); empty = RunStore::runDirectory(id)
    std::string role;      // "pretrain" or "transfer" for such searches; empty = the kind
};

// One row of `runs list`.
struct RunSummary {
    std::int64_t id = 0;
    std::string kind;
    std::string role; // what the run was for: search, pretrain, transfer or train
    RunStatus status = RunStatus::Running;
    std::uint64_t seed = 0;
    std::string datasetPath;
    std::string datasetFingerprint; // empty until the dataset was recorded
    int epochs = 0;                 // epochs recorded
    std::optional<double> bestValAcc;
    double startedAt = 0; // Unix seconds, UTC
    std::optional<double> finishedAt;
    double seconds = 0;            // sum of the recorded epochs' wall time (survives resumes)
    std::optional<double> testAcc; // a finished training's held-out test accuracy
    std::string warmStart;         // the zoo entry a transfer started from
    std::vector<std::string> tags; // sorted
    std::string stopReason;        // the reason of a search stopped early (--stop-on)
};

// Everything `runs show` prints except the per-epoch rows.
struct RunDetails : RunSummary {
    std::string configJson;
    std::string appVersion;
    std::string libraryVersions;
    std::string sqliteVersion; // the database: "3.40.1" (SQLite) or "PostgreSQL 15.18"
    std::string host;
    std::int64_t pid = 0;
    double heartbeatAt = 0;
    std::string error;
    std::string directory;
    std::optional<DatasetSummary> dataset;
    // The last recorded epoch's genotype (search) or the configured one (train).
    std::optional<darts::Genotype> genotype;
    std::optional<double> testLoss;
    std::optional<std::int64_t> parameters;
    std::string note;
};

enum class CheckpointKind { Last, Best };
std::string checkpointKindName(CheckpointKind kind);

struct CheckpointRecord {
    CheckpointKind kind = CheckpointKind::Last;
    darts::CheckpointInfo info;
    double recordedAt = 0;
};

// Identity of a cached dataset distance. The pair is unordered: the store keeps the fingerprints
// in ascending order, so (a, b) and (b, a) find the same row.
struct DistanceKey {
    std::string fingerprintA;
    std::string fingerprintB;
    std::string embedder; // the embedder's key JSON
    std::string settings; // every OT setting that changes the value, canonical JSON
};

// A cached dataset distance (see wb/ot/distance.h for the meaning of the numbers).
struct CachedDistance {
    double value = 0;
    int iterations = 0;
    double marginalError = 0;
    bool converged = false;
    std::string detailsJson; // as written (the writer's orientation: source = smaller fingerprint)
    double createdAt = 0;    // Unix seconds, set by the store
};

// The files a deleted run leaves behind; pass to removeRunFiles().
struct DeletedRun {
    std::vector<std::string> checkpoints;
    std::string directory;         // the run's folder
    bool defaultDirectory = false; // the store's own runs/<id> folder: removed with its contents
};

// Removes the checkpoint files, then the run's folder: recursively when it is the store's own
// runs/<id> folder, otherwise only if it is empty. Missing files are not an error. Returns the
// paths it removed.
std::vector<std::string> removeRunFiles(const DeletedRun& files);

// The workspace database: runs, metrics, alpha snapshots, issues, checkpoints and datasets.
// `path` is a SQLite file (WAL, foreign keys, migrated on open) or a PostgreSQL connection URI
// (see workspace_location.h; its schema changes only through migrate()). One object owns one
// connection; it is not thread-safe, so each thread opens its own (WAL lets readers run while
// one writer writes). Every failure throws wb::Error naming the database (a URI without its
// password) and the problem.
class RunStore {
public:
    struct Options {
        int busyTimeoutMs = 5000; // wait for another writer's lock before failing (ms)
        // A running run whose heartbeat is older than this is shown as interrupted (seconds;
        // StoreWriter beats every 5 s).
        double staleHeartbeatSeconds = 120;
        // open(): create the file (and its folders) when missing. Commands that need an
        // existing workspace (resume, zoo add) pass false so a mistyped --db creates nothing.
        bool create = true;
    };

    // Creates the folders and the database if needed, applies migrations, marks dead runs
    // interrupted. A PostgreSQL workspace must already be at kSchemaVersion (migrate()); an
    // older or newer one is refused with the command to run. Refuses (without modifying it) a file
    // that is not a SQLite database, a database of another application, one written by a newer
    // schema, a damaged one (PRAGMA quick_check), and one whose file or folder is read-only (use
    // openReadOnly).
    static RunStore open(const std::string& path, const Options& options);
    static RunStore open(const std::string& path) { return open(path, Options{}); }
    // For reading commands: the database must exist (nothing is created); opened for writing
    // when possible (dead runs get marked interrupted), read-only otherwise.
    static RunStore openExisting(const std::string& path);
    // A reader's connection (the GUI): never writes; dead runs are reported as interrupted
    // without being updated. The database must exist at the current schema version and pass
    // PRAGMA quick_check. A WAL database in a folder this process cannot write is opened
    // immutable (nobody can be writing it there).
    static RunStore openReadOnly(const std::string& path, const Options& options);
    static RunStore openReadOnly(const std::string& path) { return openReadOnly(path, Options{}); }
    // Brings the schema to kSchemaVersion, for either backend (`supernet workspace migrate`);
    // creates a missing SQLite file. Refuses a newer or foreign database unchanged.
    struct Migrated {
        int from = 0;
        int to = 0;
    };
    static Migrated migrate(const std::string& path);

    RunStore(RunStore&&) noexcept;
    RunStore& operator=(RunStore&&) noexcept;
    ~RunStore();

    const std::string& path() const; // a URI without its password: for messages
    bool onServer() const;           // PostgreSQL
    bool readOnly() const;
    int schemaVersion();
    // Local files of the workspace (run folders, embedding caches): the database's folder for
    // SQLite; for PostgreSQL `$SUPERNET_ARTIFACTS`, or by default
    // `$XDG_DATA_HOME/supernet-workbench/artifacts/<database>@<host>_<port>`.
    std::string artifactsDirectory() const;
    // <artifacts>/runs/<id>: where a run's checkpoints go by default.
    std::string runDirectory(std::int64_t id) const;

    // Writes. Each is one transaction unless called inside transaction().
    std::int64_t createRun(const NewRun& run);
    void recordDataset(std::int64_t runId, const DatasetSummary& dataset);
    void recordEpoch(std::int64_t runId, const darts::EpochMetrics& epoch); // replaces a re-run
    void recordSteps(std::int64_t runId, const std::vector<darts::StepMetrics>& steps);
    void recordAlphas(std::int64_t runId, const darts::AlphaSnapshot& alphas);
    void recordIssue(std::int64_t runId, const Issue& issue);
    void recordTest(std::int64_t runId, const darts::TestMetrics& test);
    void setNote(std::int64_t runId, const std::string& note);
    // Tags are short labels (1-64 printable characters, no spaces or commas); adding one twice
    // or removing an absent one changes nothing. Throws wb::Error for an invalid tag.
    void addTag(std::int64_t runId, const std::string& tag);
    void removeTag(std::int64_t runId, const std::string& tag);
    // Replaces the run's tags with `tags` (duplicates count once); nothing changes when one is
    // invalid.
    void setTags(std::int64_t runId, const std::vector<std::string>& tags);
    // Keeps one `last` row and one `best` row (info.best updates both). Returns the checkpoint
    // files no row references any more, for the caller to delete. On a PostgreSQL workspace the
    // file itself goes into the database too (chunks of 1 MiB, never the whole file in memory)
    // and the copies of files no longer referenced are dropped.
    std::vector<std::string> recordCheckpoint(std::int64_t runId,
                                              const darts::CheckpointInfo& checkpoint);
    // Files shared by name through a server workspace (the embedding cache's entries): the
    // file at `path` is stored under `name` (replacing a copy of that name) in 1 MiB chunks with
    // its SHA-256; fetchSharedFile writes the stored copy to `path` (through a .part file) and
    // says whether there was an intact one. A SQLite workspace shares its folder instead: both
    // do nothing there (fetch returns false).
    void storeSharedFile(const std::string& name, const std::string& path);
    bool fetchSharedFile(const std::string& name, const std::string& path);
    // The file of one of run `runId`'s checkpoints as a local path: `path` when it exists here;
    // else, on a PostgreSQL workspace, the database's copy written to runDirectory(runId) under
    // the same name (streamed, its SHA-256 checked). Empty when neither is there.
    std::string localRunFile(std::int64_t runId, const std::string& path);
    // Refreshes the owner's heartbeat; revives a run wrongly marked interrupted while its owner
    // (same pid and host) was stopped.
    void heartbeat(std::int64_t runId);
    void finishRun(std::int64_t runId, RunStatus status, const std::string& error = {});
    // Takes over a run that is not running (interrupted, cancelled, failed, done) for this
    // process: status running, pid/host/heartbeat updated, finish time and error cleared.
    // Throws if the run is still running in a live process, unless `takeOver` (a queue worker
    // whose claim fenced the previous owner out).
    void resumeRun(std::int64_t runId, bool takeOver = false);
    // Deletes the run and (foreign keys, ON DELETE CASCADE) every row of it. Refuses a run that
    // is still running. The files are returned, not removed: see removeRunFiles().
    DeletedRun deleteRun(std::int64_t runId);
    // Running runs whose owner died (same host and kill(pid, 0) fails with ESRCH) or whose
    // heartbeat is stale become interrupted. Returns how many changed. open(), listRuns() and
    // run() call it (ignoring a locked database: their summaries report dead runs anyway).
    int markDeadRunsInterrupted();

    // Runs `fn` in one write transaction (BEGIN IMMEDIATE); the record calls inside it join it.
    // On an exception everything inside is rolled back and the exception propagates.
    template <class Fn> void transaction(Fn&& fn)
    {
        begin();
        try {
            fn();
        } catch (...) {
            rollback();
            throw;
        }
        commit();
    }

    // Reads. Unknown ids throw wb::Error("run 42 not found").
    std::vector<RunSummary> listRuns();
    RunDetails run(std::int64_t id);
    bool hasRun(std::int64_t id);
    std::vector<darts::EpochMetrics> epochs(std::int64_t id);
    std::vector<darts::StepMetrics> steps(std::int64_t id);
    std::vector<darts::AlphaSnapshot> alphas(std::int64_t id);
    std::vector<Issue> issues(std::int64_t id);
    std::vector<CheckpointRecord> checkpoints(std::int64_t id);

    // Dataset distance cache: replaces an existing row of the same key.
    void putDistance(const DistanceKey& key, const CachedDistance& distance);
    std::optional<CachedDistance> findDistance(const DistanceKey& key);

    // The zoo (zoo_store.cpp). addZooEntry refuses a duplicate name or a run without a
    // checkpoint; deleteRun refuses a run that is in the zoo.
    std::int64_t addZooEntry(const ZooEntry& entry);
    std::vector<ZooEntry> zoo();
    ZooEntry zooEntry(std::int64_t id); // throws "zoo entry 3 not found"
    void removeZooEntry(std::int64_t id);
    void recordTransfer(const TransferRecord& transfer);
    std::optional<TransferRecord> transfer(std::int64_t runId);

    // Paired experiments (experiment_store.cpp).
    std::int64_t createExperiment(const std::string& specJson, const std::string& outDir);
    void setExperimentStatus(std::int64_t id, const std::string& status);
    void putExperimentCell(std::int64_t id, const ExperimentCell& cell); // insert or replace
    ExperimentRecord experiment(std::int64_t id);                        // with its cells
    std::vector<ExperimentRecord> experiments();                         // without cells

    // The job queue (job_store.cpp; see job_queue.h).
    std::int64_t enqueueJob(const NewJob& job);
    // Returns leases that expired to the queue (each counts as a failed attempt; past
    // max_attempts the job fails), then claims the oldest queued job on one of `devices` whose
    // waits are done: running, attempt + 1, leased to `worker` for `leaseSeconds`.
    std::optional<JobRecord> claimJob(const std::string& worker,
                                      const std::vector<std::string>& devices, double leaseSeconds);
    // Extends the lease (and records progress); false when the fence is no longer the job's
    // running attempt (taken over, cancelled): the worker must stop.
    bool renewJobLease(const JobFence& fence, double leaseSeconds,
                       std::optional<double> progress = std::nullopt);
    void setJobRun(const JobFence& fence, std::int64_t runId);
    // Done; or a failed attempt: queued again while failures < max_attempts, else failed. The
    // error is kept either way. Throws FencedOut when the fence no longer holds.
    JobState finishJob(const JobFence& fence, bool succeeded, const std::string& error = {});
    // Gives the job back to the queue without counting a failure (SIGTERM from a scheduler).
    void releaseJob(const JobFence& fence, const std::string& reason);
    // Queued or running jobs become cancelled (a running one's worker stops at its next lease
    // renewal). Throws for a finished job.
    void cancelJob(std::int64_t id);
    // A failed or cancelled job is queued again with a fresh failure budget (errors kept).
    void retryJob(std::int64_t id);
    std::vector<JobRecord> jobs();
    JobRecord job(std::int64_t id);                // throws "job 3 not found"
    void recordWorker(const WorkerRecord& worker); // insert or replace by name
    std::vector<WorkerRecord> workers();

    // Caps the database file (PRAGMA max_page_count on this connection): writes beyond it fail
    // like a full disk. For tests and for users who want a quota. SQLite only.
    void limitSize(std::int64_t maxBytes);

private:
    struct Impl;
    explicit RunStore(std::unique_ptr<Impl> impl);
    void tryMarkDeadRunsInterrupted();
    void begin();
    void commit();
    void rollback();
    std::unique_ptr<Impl> m_impl;
};

} // namespace wb::store
