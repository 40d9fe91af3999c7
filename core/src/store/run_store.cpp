#include "wb/store/run_store.h"

#include "run_store_impl.h"
#include "sqlite_connection.h"

#include "wb/common/error.h"
#include "wb/common/sha256.h"
#include "wb/store/workspace_location.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace wb::store {
using namespace detail;
namespace {

// The name a checkpoint's database copy has while it is uploaded (see stageRunFile).
constexpr const char* kStagingPrefix = ".upload-";

struct Chunked {
    std::int64_t bytes = 0;
    std::string sha256;
};

// Reads `in` 1 MiB at a time and hands each chunk (index, data, size) to `put`: a file goes
// into the database without ever being whole in memory.
Chunked forEachChunk(std::ifstream& in,
                     const std::function<void(std::int64_t, const char*, std::size_t)>& put)
{
    std::vector<char> buffer(1 << 20);
    Sha256 hash;
    Chunked out;
    for (std::int64_t i = 0;
         in.read(buffer.data(), std::streamsize(buffer.size())) || in.gcount() > 0; ++i) {
        const auto n = std::size_t(in.gcount());
        hash.update(buffer.data(), n);
        out.bytes += std::int64_t(n);
        put(i, buffer.data(), n);
    }
    out.sha256 = hash.hexDigest();
    return out;
}

// Writes the chunks `chunk` returns for indices 0, 1, ... (`bind(i)` binds index i; no row
// ends the file), one query per chunk, into `file`; the SHA-256 of what was written, or empty
// when the file cannot be written.
std::string chunksToFile(sql::Statement& chunk, const std::function<void(std::int64_t)>& bind,
                         const std::string& file)
{
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(file + ": cannot create the file");
    Sha256 hash;
    for (std::int64_t i = 0;; ++i) {
        bind(i);
        if (!chunk.step("reading a stored file")) break;
        const auto data = chunk.blob(0);
        out.write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size()));
        hash.update(data.data(), data.size());
        chunk.reset();
    }
    out.close();
    return out ? hash.hexDigest() : std::string();
}

static_assert(std::endian::native == std::endian::little,
              "alpha BLOBs are stored as little-endian float32");

std::string severityName(Severity s)
{
    switch (s) {
    case Severity::Info:
        return "info";
    case Severity::Warning:
        return "warning";
    case Severity::Error:
        return "error";
    }
    return "warning";
}

void requireValidTag(const std::string& tag)
{
    const bool printable = std::all_of(
        tag.begin(), tag.end(), [](unsigned char c) { return c > ' ' && c != ',' && c != 0x7f; });
    if (tag.empty() || tag.size() > 64 || !printable)
        throw Error("tag '" + tag +
                    "': must be 1-64 printable characters without spaces or commas");
}

Severity parseSeverity(const std::string& name)
{
    if (name == "info") return Severity::Info;
    if (name == "error") return Severity::Error;
    return Severity::Warning;
}

std::vector<float> floatsFromBlob(const std::vector<unsigned char>& blob)
{
    std::vector<float> out(blob.size() / sizeof(float));
    if (!out.empty()) std::memcpy(out.data(), blob.data(), out.size() * sizeof(float));
    return out;
}

// Genotype JSON without the primitive check of Genotype::parse: what was stored is returned
// even if this build does not know an op.
std::optional<darts::Genotype> genotypeFromJson(const json& j)
{
    try {
        auto edges = [](const json& v) {
            std::vector<darts::GenotypeEdge> out;
            for (const auto& e : v)
                out.push_back({e.at(0).get<std::string>(), e.at(1).get<int>()});
            return out;
        };
        darts::Genotype g;
        g.normal = edges(j.at("normal"));
        g.reduce = edges(j.at("reduce"));
        g.normalConcat = j.at("normal_concat").get<std::vector<int>>();
        g.reduceConcat = j.at("reduce_concat").get<std::vector<int>>();
        return g;
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

std::optional<darts::Genotype> genotypeFromText(const std::string& text)
{
    const auto j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return genotypeFromJson(j);
}

// A file name from a server's identity: letters, digits, '.', '-', '@', '_' kept.
std::string fileNameFrom(const std::string& text)
{
    std::string out;
    for (const unsigned char c : text)
        out += std::isalnum(c) || c == '.' || c == '-' || c == '@' ? char(c) : '_';
    return out;
}

// The artifacts folder of a PostgreSQL workspace (see RunStore::artifactsDirectory()).
std::string serverArtifacts(const std::string& identity)
{
    if (const char* dir = std::getenv("SUPERNET_ARTIFACTS"); dir && *dir)
        return fs::absolute(dir).string();
    return (fs::path(defaultWorkspacePath()).parent_path() / "artifacts" / fileNameFrom(identity))
        .string();
}

sql::OpenRequest request(const RunStore::Options& options, bool readOnly)
{
    return {readOnly, options.create, options.busyTimeoutMs};
}

// "`supernet workspace migrate --db URI`" for messages that name the command to run.
std::string migrateCommand(const std::string& display)
{
    return "`supernet workspace migrate --db '" + display + "'`";
}

} // namespace

std::string defaultWorkspacePath()
{
    fs::path base;
    // The XDG spec says relative values are invalid and must be ignored.
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg && fs::path(xdg).is_absolute())
        base = xdg;
    else {
        const char* home = std::getenv("HOME");
        if (!home || !*home) {
            const passwd* pw = getpwuid(getuid());
            home = pw ? pw->pw_dir : nullptr;
        }
        if (!home || !*home)
            throw Error("cannot find the default workspace: neither XDG_DATA_HOME nor HOME is "
                        "set; pass --db FILE");
        base = fs::path(home) / ".local" / "share";
    }
    return (base / "supernet-workbench" / "workspace.sqlite").string();
}

std::string isoTime(double unixSeconds)
{
    if (unixSeconds <= 0 || !std::isfinite(unixSeconds)) return {};
    const auto t = std::time_t(std::floor(unixSeconds));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

std::string checkpointKindName(CheckpointKind kind)
{
    return kind == CheckpointKind::Best ? "best" : "last";
}

std::vector<std::string> removeRunFiles(const DeletedRun& files)
{
    std::vector<std::string> removed;
    std::error_code ec;
    for (const auto& f : files.checkpoints)
        if (fs::remove(f, ec)) removed.push_back(f);
    if (files.directory.empty() || !fs::is_directory(files.directory, ec)) return removed;
    // A user-chosen folder may hold other things: only our own runs/<id> folder goes wholesale.
    if (files.defaultDirectory) {
        if (fs::remove_all(files.directory, ec) > 0 && !ec) removed.push_back(files.directory);
    } else if (fs::is_empty(files.directory, ec) && fs::remove(files.directory, ec)) {
        removed.push_back(files.directory);
    }
    return removed;
}

RunStore::RunStore(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
RunStore::RunStore(RunStore&&) noexcept = default;
RunStore& RunStore::operator=(RunStore&&) noexcept = default;
RunStore::~RunStore() = default;

RunStore RunStore::open(const std::string& path, const Options& options)
{
    auto impl = std::make_unique<Impl>();
    impl->path = redactedWorkspace(path);
    impl->options = options;
    impl->db = sql::connect(path, impl->path, request(options, false));
    const int version = impl->checkHeader();
    if (impl->onServer() && version != kSchemaVersion)
        throw Error(impl->path + ": the workspace has schema " + std::to_string(version) +
                    " and this build needs " + std::to_string(kSchemaVersion) +
                    "; on a shared database the schema changes only through " +
                    migrateCommand(impl->path) + ". Nothing was changed.");
    impl->db->checkIntegrity();
    impl->db->configureForWriting();
    impl->migrate();
    RunStore store(std::move(impl));
    store.tryMarkDeadRunsInterrupted();
    return store;
}

RunStore::Migrated RunStore::migrate(const std::string& path)
{
    auto impl = std::make_unique<Impl>();
    impl->path = redactedWorkspace(path);
    impl->db = sql::connect(path, impl->path, request(Options{}, false));
    Migrated out;
    out.from = impl->checkHeader();
    impl->db->checkIntegrity();
    impl->db->configureForWriting();
    impl->migrate();
    out.to = impl->db->header().version;
    return out;
}

RunStore RunStore::openExisting(const std::string& path)
{
    Options options;
    options.create = false;
    if (isServerWorkspace(path)) return open(path, options);
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(path + ": no workspace database there");
    if (!sql::sqliteWritable(path)) return openReadOnly(path);
    return open(path, options);
}

RunStore RunStore::openReadOnly(const std::string& path, const Options& options)
{
    auto impl = std::make_unique<Impl>();
    impl->path = redactedWorkspace(path);
    impl->options = options;
    impl->readOnly = true;
    impl->db = sql::connect(path, impl->path, request(options, true));
    if (impl->checkHeader() < kSchemaVersion)
        throw Error(impl->path + ": an older or empty workspace; " +
                    (impl->onServer() ? "upgrade it with " + migrateCommand(impl->path)
                                      : "open it once for writing (e.g. `supernet runs list --db " +
                                            impl->path + "`) to upgrade it"));
    impl->db->checkIntegrity();
    return RunStore(std::move(impl));
}

const std::string& RunStore::path() const
{
    return m_impl->path;
}

bool RunStore::readOnly() const
{
    return m_impl->readOnly;
}

bool RunStore::onServer() const
{
    return m_impl->onServer();
}

int RunStore::schemaVersion()
{
    return m_impl->db->header().version;
}

std::string RunStore::artifactsDirectory() const
{
    if (m_impl->artifacts.empty())
        m_impl->artifacts = m_impl->onServer()
                                ? serverArtifacts(m_impl->db->identity())
                                : fs::absolute(fs::path(m_impl->path)).parent_path().string();
    return m_impl->artifacts;
}

std::string RunStore::runDirectory(std::int64_t id) const
{
    return (fs::path(artifactsDirectory()) / "runs" / std::to_string(id)).string();
}

void RunStore::begin()
{
    if (m_impl->readOnly)
        throw Error(m_impl->path + ": the workspace is read-only here (opened for reading, as "
                                   "its file or folder cannot be written); nothing was changed");
    if (m_impl->txDepth++ > 0) return;
    m_impl->txAborted = false;
    try {
        m_impl->db->begin("starting a write");
    } catch (...) {
        m_impl->txDepth = 0;
        throw;
    }
    // A worker's writes hold only while its attempt is the job's running one (under the write
    // lock, so no takeover can slip in between the check and the write).
    if (const auto fence = processJobFence()) {
        auto q = m_impl->prepare("SELECT 1 FROM jobs WHERE id = ? AND attempt = ? AND "
                                 "state = 'running'");
        q.bind(1, fence->jobId).bind(2, fence->attempt);
        if (!q.step("checking the job's lease")) {
            m_impl->db->rollback();
            m_impl->txDepth = 0;
            throw FencedOut(m_impl->path + ": job " + std::to_string(fence->jobId) + " attempt " +
                            std::to_string(fence->attempt) +
                            " lost its lease (taken over or cancelled); nothing was written");
        }
    }
}

void RunStore::commit()
{
    if (--m_impl->txDepth > 0) return;
    if (m_impl->txAborted) throw Error(m_impl->path + ": a nested write failed; nothing saved");
    try {
        m_impl->db->commit("saving");
    } catch (...) {
        rollback();
        m_impl->txDepth = 0;
        throw;
    }
}

void RunStore::rollback()
{
    if (m_impl->txDepth > 0) --m_impl->txDepth;
    m_impl->txAborted = true;
    m_impl->db->rollback();
}

std::int64_t RunStore::createRun(const NewRun& run)
{
    std::int64_t id = 0;
    transaction([&] {
        const double t = now();
        auto s = m_impl->prepare(
            "INSERT INTO runs (kind, status, config, seed, dataset_path, directory, app_version, "
            "library_versions, sqlite_version, host, pid, started_at, heartbeat_at, role) "
            "VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        s.bind(1, run.kind)
            .bind(2, run.configJson)
            .bind(3, std::bit_cast<std::int64_t>(run.seed))
            .bind(4, run.datasetPath)
            .bind(5, run.directory)
            .bind(6, run.appVersion)
            .bind(7, run.libraryVersions)
            .bind(8, m_impl->db->serverVersion())
            .bind(9, m_impl->host)
            .bind(10, std::int64_t(getpid()))
            .bind(11, t)
            .bind(12, t)
            .bind(13, run.role);
        s.run("creating a run");
        id = m_impl->db->lastInsertId();
        if (run.directory.empty()) {
            auto u = m_impl->prepare("UPDATE runs SET directory = ? WHERE id = ?");
            u.bind(1, runDirectory(id)).bind(2, id).run("creating a run");
        }
    });
    return id;
}

void RunStore::recordDataset(std::int64_t runId, const DatasetSummary& d)
{
    // The loader always fingerprints; a summary without one still gets a stable key.
    const std::string key = d.fingerprint.empty() ? "path:" + d.path : d.fingerprint;
    transaction([&] {
        m_impl->requireRun(runId);
        auto s = m_impl->prepare(
            "INSERT INTO datasets (fingerprint, path, format, class_names, class_counts, "
            "recorded_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO UPDATE SET "
            "path = excluded.path, format = excluded.format, class_names = excluded.class_names, "
            "class_counts = excluded.class_counts");
        s.bind(1, key)
            .bind(2, d.path)
            .bind(3, d.format)
            .bind(4, json(d.classNames).dump())
            .bind(5, json(d.classCounts).dump())
            .bind(6, now())
            .run("recording the dataset");
        auto u = m_impl->prepare(
            "UPDATE runs SET dataset_fingerprint = ?, dataset_path = ?, channels = ?, "
            "image_size = ?, train_images = ?, val_images = ?, test_images = ? WHERE id = ?");
        u.bind(1, key)
            .bind(2, d.path)
            .bind(3, d.channels)
            .bind(4, d.imageSize)
            .bind(5, d.trainImages)
            .bind(6, d.valImages)
            .bind(7, d.testImages)
            .bind(8, runId)
            .run("recording the dataset");
    });
}

void RunStore::recordEpoch(std::int64_t runId, const darts::EpochMetrics& e)
{
    transaction([&] {
        m_impl->requireRun(runId);
        auto s = m_impl->prepare(
            sql::upsert("epochs", {"run_id", "epoch"},
                        {"train_loss", "train_acc", "val_loss", "val_acc", "lr", "seconds"}));
        s.bind(1, runId)
            .bind(2, e.epoch)
            .bind(3, e.trainLoss)
            .bind(4, e.trainAcc)
            .bind(5, e.valLoss)
            .bind(6, e.valAcc)
            .bind(7, e.lr)
            .bind(8, e.seconds)
            .run("recording epoch " + std::to_string(e.epoch));
    });
}

void RunStore::recordSteps(std::int64_t runId, const std::vector<darts::StepMetrics>& steps)
{
    if (steps.empty()) return;
    // Several rows per statement: one server round trip each, not one per step (PostgreSQL over
    // a network). 100 rows x 9 values stay far below both backends' parameter limits.
    constexpr std::size_t kRowsPerInsert = 100;
    transaction([&] {
        m_impl->requireRun(runId);
        std::size_t begin = 0;
        while (begin < steps.size()) {
            // A step repeated within the batch (a re-run) starts the next statement.
            std::set<std::pair<int, int>> keys;
            auto end = begin;
            while (end < steps.size() && end - begin < kRowsPerInsert &&
                   keys.insert({steps[end].epoch, steps[end].step}).second)
                ++end;
            auto s = m_impl->prepare(sql::upsert(
                "steps", {"run_id", "epoch", "step"},
                {"steps_per_epoch", "train_loss", "train_acc", "alpha_loss", "lr", "seconds"},
                int(end - begin)));
            for (auto i = begin; i < end; ++i) {
                const auto& m = steps[i];
                const int p = 9 * int(i - begin); // the row's first placeholder, less one
                s.bind(p + 1, runId)
                    .bind(p + 2, m.epoch)
                    .bind(p + 3, m.step)
                    .bind(p + 4, m.stepsPerEpoch)
                    .bind(p + 5, m.trainLoss)
                    .bind(p + 6, m.trainAcc)
                    .bind(p + 7, m.alphaLoss)
                    .bind(p + 8, m.lr)
                    .bind(p + 9, m.seconds);
            }
            s.run("recording step metrics");
            begin = end;
        }
    });
}

void RunStore::recordAlphas(std::int64_t runId, const darts::AlphaSnapshot& a)
{
    transaction([&] {
        m_impl->requireRun(runId);
        auto s = m_impl->prepare(sql::upsert(
            "alphas", {"run_id", "epoch"},
            {"edges", "ops", "normal", "reduce", "genotype", "edge_normal", "edge_reduce"}));
        s.bind(1, runId)
            .bind(2, a.epoch)
            .bind(3, a.edges)
            .bind(4, json(a.ops).dump())
            .bindBlob(5, a.normal.data(), a.normal.size() * sizeof(float))
            .bindBlob(6, a.reduce.data(), a.reduce.size() * sizeof(float))
            .bind(7, a.genotype.toJson());
        if (a.edgeNormal.empty()) {
            s.bindNull(8).bindNull(9);
        } else {
            s.bindBlob(8, a.edgeNormal.data(), a.edgeNormal.size() * sizeof(float))
                .bindBlob(9, a.edgeReduce.data(), a.edgeReduce.size() * sizeof(float));
        }
        s.run("recording the alphas of epoch " + std::to_string(a.epoch));
        const auto& c = a.signals;
        auto c2 = m_impl->prepare(sql::upsert(
            "collapse_signals", {"run_id", "epoch"},
            {"skip_normal", "skip_reduce", "param_free_normal", "param_free_reduce",
             "entropy_normal", "entropy_reduce", "margin_normal", "margin_reduce",
             "undecided_normal", "undecided_reduce", "hessian_eigenvalue", "hessian_seconds"}));
        c2.bind(1, runId)
            .bind(2, a.epoch)
            .bind(3, c.skipNormal)
            .bind(4, c.skipReduce)
            .bind(5, c.paramFreeNormal)
            .bind(6, c.paramFreeReduce)
            .bind(7, c.entropyNormal)
            .bind(8, c.entropyReduce)
            .bind(9, c.marginNormal)
            .bind(10, c.marginReduce)
            .bind(11, c.undecidedNormal)
            .bind(12, c.undecidedReduce)
            .bind(13, c.hessianEigenvalue) // NaN (not computed) reads back as NaN
            .bind(14, c.hessianSeconds)
            .run("recording the collapse signals of epoch " + std::to_string(a.epoch));
    });
}

void RunStore::recordIssue(std::int64_t runId, const Issue& issue)
{
    transaction([&] {
        m_impl->requireRun(runId);
        auto s = m_impl->prepare("INSERT INTO issues (run_id, epoch, severity, code, message, "
                                 "recorded_at) VALUES (?, ?, ?, ?, ?, ?)");
        s.bind(1, runId)
            .bind(2, issue.epoch)
            .bind(3, severityName(issue.severity))
            .bind(4, issue.code)
            .bind(5, issue.message)
            .bind(6, now())
            .run("recording an issue");
    });
}

std::string RunStore::Impl::stageRunFile(
    std::int64_t runId, const std::string& path,
    const std::function<void(const std::function<void()>&)>& inTransaction)
{
    const auto staged = std::string(kStagingPrefix) + host + "-" + std::to_string(::getpid()) +
                        "-" + fs::path(path).filename().string();
    const auto drop = [&] {
        auto d = prepare("DELETE FROM run_files WHERE run_id = ? AND name = ?");
        d.bind(1, runId).bind(2, staged).run("dropping a staged checkpoint");
    };
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot read the checkpoint to store it");
    inTransaction([&] {
        drop();
        auto file = prepare("INSERT INTO run_files (run_id, name, sha256, bytes, stored_at) "
                            "VALUES (?, ?, ?, 0, ?)");
        file.bind(1, runId).bind(2, staged).bind(3, std::string()).bind(4, now());
        file.run("storing a checkpoint");
    });
    try {
        const auto whole = forEachChunk(in, [&](std::int64_t i, const char* data, std::size_t n) {
            inTransaction([&] {
                auto chunk = prepare(
                    "INSERT INTO run_file_chunks (run_id, name, chunk, data) VALUES (?, ?, ?, ?)");
                chunk.bind(1, runId).bind(2, staged).bind(3, i).bindBlob(4, data, n);
                chunk.run("storing a checkpoint");
            });
        });
        // The copy's own checksum: a file that no longer matches its checkpoint record is
        // stored as it is, and a resume that checks the record finds it corrupt, as it would
        // the file here.
        inTransaction([&] {
            auto size =
                prepare("UPDATE run_files SET bytes = ?, sha256 = ? WHERE run_id = ? AND name = ?");
            size.bind(1, whole.bytes).bind(2, whole.sha256).bind(3, runId).bind(4, staged);
            size.run("storing a checkpoint");
        });
    } catch (...) {
        try {
            inTransaction(drop);
        } catch (const Error&) { // the first error is the one to report
        }
        throw;
    }
    return staged;
}

void RunStore::Impl::commitRunFile(std::int64_t runId, const std::string& staged,
                                   const std::string& name)
{
    auto old = prepare("DELETE FROM run_files WHERE run_id = ? AND name = ?");
    old.bind(1, runId).bind(2, name).run("replacing a stored checkpoint");
    auto copy = prepare("INSERT INTO run_files (run_id, name, sha256, bytes, stored_at) "
                        "SELECT run_id, ?, sha256, bytes, stored_at FROM run_files "
                        "WHERE run_id = ? AND name = ?");
    copy.bind(1, name).bind(2, runId).bind(3, staged).run("storing a checkpoint");
    auto chunks = prepare("UPDATE run_file_chunks SET name = ? WHERE run_id = ? AND name = ?");
    chunks.bind(1, name).bind(2, runId).bind(3, staged).run("storing a checkpoint");
    auto stale = prepare("DELETE FROM run_files WHERE run_id = ? AND (name = ? OR "
                         "(substr(name, 1, " +
                         std::to_string(std::string_view(kStagingPrefix).size()) +
                         ") = ? AND stored_at < ?))");
    stale.bind(1, runId).bind(2, staged).bind(3, std::string(kStagingPrefix)).bind(4, now() - 3600);
    stale.run("dropping staged checkpoints");
}

std::vector<std::string> RunStore::recordCheckpoint(std::int64_t runId,
                                                    const darts::CheckpointInfo& c)
{
    // A file that is not there (it was never written) has no copy; other machines then find
    // the checkpoint missing, as this one would.
    std::error_code ec;
    std::string staged;
    if (m_impl->onServer() && fs::is_regular_file(c.path, ec)) {
        m_impl->requireRun(runId);
        staged = m_impl->stageRunFile(runId, c.path, [this](const std::function<void()>& fn) {
            transaction(fn);
        });
    }
    std::vector<std::string> stale;
    transaction([&] {
        m_impl->requireRun(runId);
        std::vector<std::string> kinds = {"last"};
        if (c.best) kinds.push_back("best");
        std::set<std::string> previous;
        for (const auto& kind : kinds) {
            auto q = m_impl->prepare("SELECT path FROM checkpoints WHERE run_id = ? AND kind = ?");
            q.bind(1, runId).bind(2, kind);
            if (q.step("reading checkpoints")) previous.insert(q.text(0));
            auto s =
                m_impl->prepare(sql::upsert("checkpoints", {"run_id", "kind"},
                                            {"epoch", "path", "sha256", "val_acc", "recorded_at"}));
            s.bind(1, runId)
                .bind(2, kind)
                .bind(3, c.epoch)
                .bind(4, c.path)
                .bind(5, c.sha256)
                .bind(6, c.valAcc)
                .bind(7, now())
                .run("recording checkpoint " + c.path);
        }
        for (const auto& p : previous) {
            if (p == c.path) continue;
            auto q = m_impl->prepare("SELECT 1 FROM checkpoints WHERE path = ?");
            q.bind(1, p);
            if (!q.step("reading checkpoints")) stale.push_back(p);
        }
        if (m_impl->onServer()) {
            if (!staged.empty())
                m_impl->commitRunFile(runId, staged, fs::path(c.path).filename().string());
            for (const auto& p : stale) {
                auto d = m_impl->prepare("DELETE FROM run_files WHERE run_id = ? AND name = ?");
                d.bind(1, runId).bind(2, fs::path(p).filename().string()).run("dropping a copy");
            }
        }
    });
    return stale;
}

void RunStore::storeSharedFile(const std::string& name, const std::string& path)
{
    if (!m_impl->onServer()) return;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot read the file to store it");
    transaction([&] {
        auto drop = m_impl->prepare("DELETE FROM cache_files WHERE name = ?");
        drop.bind(1, name).run("replacing a shared file");
        auto file = m_impl->prepare(
            "INSERT INTO cache_files (name, sha256, bytes, stored_at) VALUES (?, '', 0, ?)");
        file.bind(1, name).bind(2, now()).run("storing a shared file");
        auto chunk =
            m_impl->prepare("INSERT INTO cache_file_chunks (name, chunk, data) VALUES (?, ?, ?)");
        const auto whole = forEachChunk(in, [&](std::int64_t i, const char* data, std::size_t n) {
            chunk.bind(1, name).bind(2, i).bindBlob(3, data, n);
            chunk.run("storing a shared file");
        });
        auto size = m_impl->prepare("UPDATE cache_files SET bytes = ?, sha256 = ? WHERE name = ?");
        size.bind(1, whole.bytes).bind(2, whole.sha256).bind(3, name).run("storing a shared file");
    });
}

bool RunStore::fetchSharedFile(const std::string& name, const std::string& path)
{
    if (!m_impl->onServer()) return false;
    auto q = m_impl->prepare("SELECT sha256 FROM cache_files WHERE name = ?");
    q.bind(1, name);
    if (!q.step("looking up a shared file")) return false;
    const auto sha256 = q.text(0);
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    const auto part = path + ".part";
    auto chunk = m_impl->prepare("SELECT data FROM cache_file_chunks WHERE name = ? AND chunk = ?");
    if (chunksToFile(chunk, [&](std::int64_t i) { chunk.bind(1, name).bind(2, i); }, part) !=
        sha256) { // a damaged copy
        fs::remove(part, ec);
        return false;
    }
    fs::rename(part, path, ec);
    return !ec;
}

std::string RunStore::localRunFile(std::int64_t runId, const std::string& path)
{
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return path;
    if (!m_impl->onServer()) return {};
    const auto name = fs::path(path).filename().string();
    auto q = m_impl->prepare("SELECT sha256 FROM run_files WHERE run_id = ? AND name = ?");
    q.bind(1, runId).bind(2, name);
    if (!q.step("looking up a stored checkpoint")) return {};
    const auto sha256 = q.text(0);
    const auto local = fs::path(runDirectory(runId)) / name;
    if (fs::is_regular_file(local, ec) && fileSha256(local.string()) == sha256)
        return local.string();
    fs::create_directories(local.parent_path(), ec);
    const auto part = local.string() + ".part";
    auto chunk = m_impl->prepare(
        "SELECT data FROM run_file_chunks WHERE run_id = ? AND name = ? AND chunk = ?");
    const auto bind = [&](std::int64_t i) { chunk.bind(1, runId).bind(2, name).bind(3, i); };
    if (chunksToFile(chunk, bind, part) != sha256) {
        fs::remove(part, ec);
        throw Error(m_impl->path + ": the stored copy of " + name + " (run " +
                    std::to_string(runId) + ") is incomplete or corrupt");
    }
    fs::rename(part, local, ec);
    if (ec) throw Error(local.string() + ": cannot move the file into place: " + ec.message());
    return local.string();
}

void RunStore::heartbeat(std::int64_t runId)
{
    transaction([&] {
        m_impl->requireRun(runId);
        auto s = m_impl->prepare(
            "UPDATE runs SET heartbeat_at = ?, status = 'running', error = CASE WHEN status = "
            "'interrupted' THEN '' ELSE error END WHERE id = ? AND pid = ? AND host = ? AND "
            "status IN ('running', 'interrupted')");
        s.bind(1, now())
            .bind(2, runId)
            .bind(3, std::int64_t(getpid()))
            .bind(4, m_impl->host)
            .run("writing the heartbeat");
    });
}

void RunStore::recordTest(std::int64_t runId, const darts::TestMetrics& test)
{
    transaction([&] {
        m_impl->requireRun(runId);
        auto s = m_impl->prepare(
            "UPDATE runs SET test_loss = ?, test_acc = ?, parameters = ? WHERE id = ?");
        s.bind(1, test.loss)
            .bind(2, test.acc)
            .bind(3, test.parameters)
            .bind(4, runId)
            .run("recording the test result of run " + std::to_string(runId));
    });
}

void RunStore::setNote(std::int64_t runId, const std::string& note)
{
    transaction([&] {
        m_impl->requireRun(runId);
        auto s = m_impl->prepare("UPDATE runs SET note = ? WHERE id = ?");
        s.bind(1, note).bind(2, runId).run("writing the note of run " + std::to_string(runId));
    });
}

void RunStore::addTag(std::int64_t runId, const std::string& tag)
{
    requireValidTag(tag);
    transaction([&] {
        m_impl->requireRun(runId);
        auto s = m_impl->prepare("INSERT INTO run_tags (run_id, tag) VALUES (?, ?) "
                                 "ON CONFLICT (run_id, tag) DO NOTHING");
        s.bind(1, runId).bind(2, tag).run("tagging run " + std::to_string(runId));
    });
}

void RunStore::setTags(std::int64_t runId, const std::vector<std::string>& tags)
{
    for (const auto& tag : tags)
        requireValidTag(tag);
    transaction([&] {
        m_impl->requireRun(runId);
        auto s = m_impl->prepare("DELETE FROM run_tags WHERE run_id = ?");
        s.bind(1, runId).run("untagging run " + std::to_string(runId));
        for (const auto& tag : tags)
            addTag(runId, tag);
    });
}

void RunStore::removeTag(std::int64_t runId, const std::string& tag)
{
    transaction([&] {
        m_impl->requireRun(runId);
        auto s = m_impl->prepare("DELETE FROM run_tags WHERE run_id = ? AND tag = ?");
        s.bind(1, runId).bind(2, tag).run("untagging run " + std::to_string(runId));
    });
}

void RunStore::finishRun(std::int64_t runId, RunStatus status, const std::string& error)
{
    transaction([&] {
        m_impl->requireRun(runId);
        const double t = now();
        auto s = m_impl->prepare("UPDATE runs SET status = ?, error = ?, finished_at = ?, "
                                 "heartbeat_at = ? WHERE id = ?");
        s.bind(1, statusName(status))
            .bind(2, error)
            .bind(3, t)
            .bind(4, t)
            .bind(5, runId)
            .run("finishing run " + std::to_string(runId));
    });
}

void RunStore::resumeRun(std::int64_t runId, bool takeOver)
{
    transaction([&] {
        m_impl->requireRun(runId);
        auto q = m_impl->prepare("SELECT status, host, pid, heartbeat_at FROM runs WHERE id = ?");
        q.bind(1, runId);
        q.step("reading run " + std::to_string(runId));
        const auto pid = q.int64(2);
        if (!takeOver && q.text(0) == "running" &&
            m_impl->deathReason(q.text(1), pid, q.real(3)).empty() &&
            !(pid == getpid() && q.text(1) == m_impl->host))
            throw Error("run " + std::to_string(runId) + " is still running (process " +
                        std::to_string(pid) + " on " + q.text(1) + ")");
        const double t = now();
        auto s = m_impl->prepare(
            "UPDATE runs SET status = 'running', error = '', finished_at = NULL, host = ?, "
            "pid = ?, heartbeat_at = ? WHERE id = ?");
        s.bind(1, m_impl->host)
            .bind(2, std::int64_t(getpid()))
            .bind(3, t)
            .bind(4, runId)
            .run("resuming run " + std::to_string(runId));
    });
}

DeletedRun RunStore::deleteRun(std::int64_t runId)
{
    DeletedRun out;
    transaction([&] {
        m_impl->requireRun(runId);
        auto q = m_impl->prepare(
            "SELECT status, host, pid, heartbeat_at, directory FROM runs WHERE id = ?");
        q.bind(1, runId);
        q.step("reading run " + std::to_string(runId));
        if (q.text(0) == "running" && m_impl->deathReason(q.text(1), q.int64(2), q.real(3)).empty())
            throw Error("run " + std::to_string(runId) + " is still running (process " +
                        std::to_string(q.int64(2)) + " on " + q.text(1) +
                        "); stop it before deleting it");
        auto z = m_impl->prepare("SELECT id, name FROM zoo WHERE run_id = ?");
        z.bind(1, runId);
        if (z.step("looking up the zoo"))
            throw Error("run " + std::to_string(runId) + " is the supernet of zoo entry " +
                        std::to_string(z.int64(0)) + " '" + z.text(1) +
                        "'; remove it from the zoo first (supernet zoo remove " +
                        std::to_string(z.int64(0)) + ")");
        out.directory = q.text(4);
        out.defaultDirectory = !out.directory.empty() && out.directory == runDirectory(runId);
        auto c = m_impl->prepare(
            "SELECT DISTINCT path FROM checkpoints WHERE run_id = ?1 AND path NOT IN "
            "(SELECT path FROM checkpoints WHERE run_id <> ?1) ORDER BY path");
        c.bind(1, runId);
        while (c.step("reading checkpoints"))
            out.checkpoints.push_back(c.text(0));
        auto d = m_impl->prepare("DELETE FROM runs WHERE id = ?");
        d.bind(1, runId).run("deleting run " + std::to_string(runId));
    });
    return out;
}

int RunStore::markDeadRunsInterrupted()
{
    if (m_impl->readOnly) return 0;
    struct Dead {
        std::int64_t id;
        double heartbeatAt;
        std::string reason;
    };
    std::vector<Dead> dead;
    {
        // Read first, outside a write transaction: the common case (nothing dead) never takes
        // the write lock, so listing works while another process writes.
        auto q = m_impl->prepare(
            "SELECT id, host, pid, heartbeat_at FROM runs WHERE status = 'running'");
        while (q.step("looking for interrupted runs")) {
            auto reason = m_impl->deathReason(q.text(1), q.int64(2), q.real(3));
            if (!reason.empty()) dead.push_back({q.int64(0), q.real(3), reason});
        }
    }
    if (dead.empty()) return 0;
    int changed = 0;
    transaction([&] {
        // The heartbeat condition skips a run whose owner beat again since we looked.
        auto u = m_impl->prepare("UPDATE runs SET status = 'interrupted', error = ? WHERE id = ? "
                                 "AND status = 'running' AND heartbeat_at = ?");
        for (const auto& d : dead) {
            u.bind(1, d.reason)
                .bind(2, d.id)
                .bind(3, d.heartbeatAt)
                .run("marking runs interrupted");
            changed += int(m_impl->db->changes());
        }
    });
    return changed;
}

void RunStore::tryMarkDeadRunsInterrupted()
{
    // Housekeeping must not make opening or listing fail (e.g. while another process holds the
    // write lock): the summaries report dead runs as interrupted either way.
    try {
        markDeadRunsInterrupted();
    } catch (const Error&) {
    }
}

std::vector<RunSummary> RunStore::listRuns()
{
    tryMarkDeadRunsInterrupted();
    return m_impl->summaries(std::nullopt);
}

bool RunStore::hasRun(std::int64_t id)
{
    auto s = m_impl->prepare("SELECT 1 FROM runs WHERE id = ?");
    s.bind(1, id);
    return s.step("looking up run " + std::to_string(id));
}

RunDetails RunStore::run(std::int64_t id)
{
    tryMarkDeadRunsInterrupted();
    auto rows = m_impl->summaries(id);
    if (rows.empty()) throw Error("run " + std::to_string(id) + " not found in " + m_impl->path);
    RunDetails r;
    static_cast<RunSummary&>(r) = std::move(rows.front());

    auto q = m_impl->prepare(
        "SELECT r.config, r.note, r.app_version, r.library_versions, r.sqlite_version, r.host, "
        "r.pid, r.heartbeat_at, r.error, r.directory, r.channels, r.image_size, r.train_images, "
        "r.val_images, r.test_images, d.fingerprint, d.path, d.format, d.class_names, "
        "d.class_counts, r.test_loss, r.parameters FROM runs r "
        "LEFT JOIN datasets d ON d.fingerprint = r.dataset_fingerprint WHERE r.id = ?");
    q.bind(1, id);
    q.step("reading run " + std::to_string(id));
    r.configJson = q.text(0);
    r.note = q.text(1);
    if (!q.isNull(20)) r.testLoss = q.real(20);
    if (!q.isNull(21)) r.parameters = q.int64(21);
    r.appVersion = q.text(2);
    r.libraryVersions = q.text(3);
    r.sqliteVersion = q.text(4);
    r.host = q.text(5);
    r.pid = q.int64(6);
    r.heartbeatAt = q.real(7);
    r.error = q.text(8);
    r.directory = q.text(9);
    if (!q.isNull(15)) {
        DatasetSummary d;
        d.channels = q.integer(10);
        d.imageSize = q.integer(11);
        d.trainImages = q.integer(12);
        d.valImages = q.integer(13);
        d.testImages = q.integer(14);
        d.fingerprint = q.text(15);
        d.path = r.datasetPath;
        d.format = q.text(17);
        const auto names = json::parse(q.text(18), nullptr, false);
        const auto counts = json::parse(q.text(19), nullptr, false);
        if (names.is_array())
            for (const auto& n : names)
                if (n.is_string()) d.classNames.push_back(n.get<std::string>());
        if (counts.is_array())
            for (const auto& n : counts)
                if (n.is_number_integer()) d.classCounts.push_back(n.get<int>());
        r.dataset = std::move(d);
    }

    auto g =
        m_impl->prepare("SELECT genotype FROM alphas WHERE run_id = ? ORDER BY epoch DESC LIMIT 1");
    g.bind(1, id);
    if (g.step("reading the genotype")) r.genotype = genotypeFromText(g.text(0));
    if (!r.genotype) {
        const auto config = json::parse(r.configJson, nullptr, false);
        if (config.is_object() && config.contains("genotype"))
            r.genotype = genotypeFromJson(config.at("genotype"));
    }
    return r;
}

std::vector<darts::EpochMetrics> RunStore::epochs(std::int64_t id)
{
    m_impl->requireRun(id);
    std::vector<darts::EpochMetrics> out;
    auto q = m_impl->prepare("SELECT epoch, train_loss, train_acc, val_loss, val_acc, lr, "
                             "seconds FROM epochs WHERE run_id = ? ORDER BY epoch");
    q.bind(1, id);
    while (q.step("reading epochs")) {
        darts::EpochMetrics e;
        e.epoch = q.integer(0);
        e.trainLoss = realOrNaN(q, 1);
        e.trainAcc = realOrNaN(q, 2);
        e.valLoss = realOrNaN(q, 3);
        e.valAcc = realOrNaN(q, 4);
        e.lr = realOrNaN(q, 5);
        e.seconds = realOrNaN(q, 6);
        out.push_back(e);
    }
    return out;
}

std::vector<darts::StepMetrics> RunStore::steps(std::int64_t id)
{
    m_impl->requireRun(id);
    std::vector<darts::StepMetrics> out;
    auto q = m_impl->prepare(
        "SELECT epoch, step, steps_per_epoch, train_loss, train_acc, alpha_loss, lr, seconds "
        "FROM steps WHERE run_id = ? ORDER BY epoch, step");
    q.bind(1, id);
    while (q.step("reading steps")) {
        darts::StepMetrics s;
        s.epoch = q.integer(0);
        s.step = q.integer(1);
        s.stepsPerEpoch = q.integer(2);
        s.trainLoss = realOrNaN(q, 3);
        s.trainAcc = realOrNaN(q, 4);
        s.alphaLoss = realOrNaN(q, 5);
        s.lr = realOrNaN(q, 6);
        s.seconds = realOrNaN(q, 7);
        out.push_back(s);
    }
    return out;
}

std::vector<darts::AlphaSnapshot> RunStore::alphas(std::int64_t id)
{
    m_impl->requireRun(id);
    std::vector<darts::AlphaSnapshot> out;
    auto q = m_impl->prepare(
        "SELECT a.epoch, a.edges, a.ops, a.normal, a.reduce, a.genotype, c.skip_normal, "
        "c.skip_reduce, c.param_free_normal, c.param_free_reduce, c.entropy_normal, "
        "c.entropy_reduce, a.edge_normal, a.edge_reduce, c.margin_normal, c.margin_reduce, "
        "c.undecided_normal, c.undecided_reduce, c.hessian_eigenvalue, c.hessian_seconds "
        "FROM alphas a "
        "LEFT JOIN collapse_signals c "
        "ON c.run_id = a.run_id AND c.epoch = a.epoch WHERE a.run_id = ? ORDER BY a.epoch");
    q.bind(1, id);
    while (q.step("reading alphas")) {
        darts::AlphaSnapshot a;
        a.epoch = q.integer(0);
        a.edges = q.integer(1);
        const auto ops = json::parse(q.text(2), nullptr, false);
        if (ops.is_array())
            for (const auto& o : ops)
                if (o.is_string()) a.ops.push_back(o.get<std::string>());
        a.normal = floatsFromBlob(q.blob(3));
        a.reduce = floatsFromBlob(q.blob(4));
        a.genotype = genotypeFromText(q.text(5)).value_or(darts::Genotype{});
        if (!q.isNull(6)) {
            a.signals.skipNormal = q.integer(6);
            a.signals.skipReduce = q.integer(7);
            a.signals.paramFreeNormal = realOrNaN(q, 8);
            a.signals.paramFreeReduce = realOrNaN(q, 9);
            a.signals.entropyNormal = realOrNaN(q, 10);
            a.signals.entropyReduce = realOrNaN(q, 11);
        }
        if (!q.isNull(12)) {
            a.edgeNormal = floatsFromBlob(q.blob(12));
            a.edgeReduce = floatsFromBlob(q.blob(13));
        }
        if (!q.isNull(16)) {
            a.signals.marginNormal = realOrNaN(q, 14);
            a.signals.marginReduce = realOrNaN(q, 15);
            a.signals.undecidedNormal = q.integer(16);
            a.signals.undecidedReduce = q.integer(17);
        } else {
            a.signals.marginNormal = a.signals.marginReduce = std::nan(""); // not recorded
        }
        a.signals.hessianEigenvalue = realOrNaN(q, 18);
        a.signals.hessianSeconds = realOrNaN(q, 19);
        out.push_back(std::move(a));
    }
    return out;
}

std::vector<Issue> RunStore::issues(std::int64_t id)
{
    m_impl->requireRun(id);
    std::vector<Issue> out;
    auto q = m_impl->prepare(
        "SELECT severity, code, message, epoch FROM issues WHERE run_id = ? ORDER BY id");
    q.bind(1, id);
    while (q.step("reading issues")) {
        Issue i;
        i.severity = parseSeverity(q.text(0));
        i.code = q.text(1);
        i.message = q.text(2);
        i.epoch = q.integer(3);
        out.push_back(std::move(i));
    }
    return out;
}

std::vector<CheckpointRecord> RunStore::checkpoints(std::int64_t id)
{
    m_impl->requireRun(id);
    std::vector<CheckpointRecord> out;
    auto q = m_impl->prepare("SELECT kind, epoch, path, sha256, val_acc, recorded_at FROM "
                             "checkpoints WHERE run_id = ? ORDER BY kind DESC");
    q.bind(1, id);
    while (q.step("reading checkpoints")) {
        CheckpointRecord c;
        c.kind = q.text(0) == "best" ? CheckpointKind::Best : CheckpointKind::Last;
        c.info.epoch = q.integer(1);
        c.info.path = q.text(2);
        c.info.sha256 = q.text(3);
        c.info.valAcc = realOrNaN(q, 4);
        c.info.best = c.kind == CheckpointKind::Best;
        c.recordedAt = q.real(5);
        out.push_back(std::move(c));
    }
    return out;
}

namespace {

// The unordered pair in its stored order.
std::pair<std::string, std::string> canonicalPair(const DistanceKey& key)
{
    if (key.fingerprintB < key.fingerprintA) return {key.fingerprintB, key.fingerprintA};
    return {key.fingerprintA, key.fingerprintB};
}

} // namespace

void RunStore::putDistance(const DistanceKey& key, const CachedDistance& d)
{
    const auto [a, b] = canonicalPair(key);
    transaction([&] {
        auto s = m_impl->prepare(sql::upsert(
            "distances", {"fingerprint_a", "fingerprint_b", "embedder", "settings"},
            {"value", "iterations", "marginal_error", "converged", "details", "created_at"}));
        s.bind(1, a)
            .bind(2, b)
            .bind(3, key.embedder)
            .bind(4, key.settings)
            .bind(5, d.value)
            .bind(6, d.iterations)
            .bind(7, d.marginalError)
            .bind(8, d.converged ? 1 : 0)
            .bind(9, d.detailsJson)
            .bind(10, now())
            .run("caching a dataset distance");
    });
}

std::optional<CachedDistance> RunStore::findDistance(const DistanceKey& key)
{
    const auto [a, b] = canonicalPair(key);
    auto q = m_impl->prepare(
        "SELECT value, iterations, marginal_error, converged, details, created_at FROM distances "
        "WHERE fingerprint_a = ? AND fingerprint_b = ? AND embedder = ? AND settings = ?");
    q.bind(1, a).bind(2, b).bind(3, key.embedder).bind(4, key.settings);
    if (!q.step("reading the distance cache")) return std::nullopt;
    CachedDistance d;
    d.value = realOrNaN(q, 0);
    d.iterations = q.integer(1);
    d.marginalError = realOrNaN(q, 2);
    d.converged = q.integer(3) != 0;
    d.detailsJson = q.text(4);
    d.createdAt = q.real(5);
    return d;
}

void RunStore::limitSize(std::int64_t maxBytes)
{
    m_impl->db->limitSize(maxBytes);
}

} // namespace wb::store
