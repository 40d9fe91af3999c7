// RunStore: the job queue and its workers (schema 5; see wb/store/job_queue.h).

#include "run_store_impl.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <mutex>

using nlohmann::json;

namespace wb::store {
namespace {

constexpr std::pair<JobState, const char*> kJobStates[] = {{JobState::Queued, "queued"},
                                                           {JobState::Running, "running"},
                                                           {JobState::Done, "done"},
                                                           {JobState::Failed, "failed"},
                                                           {JobState::Cancelled, "cancelled"}};

std::mutex g_fenceMutex;
std::optional<JobFence> g_fence;

constexpr int kClaimPage = 64; // queued jobs read at a time by a claim

constexpr const char* kJobColumns =
    "id, kind, spec, device, state, wait_for, attempt, failures, max_attempts, worker, "
    "lease_until, run_id, experiment_id, progress, errors, created_at, started_at, finished_at";

JobRecord readJob(const sql::Statement& q)
{
    JobRecord j;
    j.id = q.int64(0);
    j.kind = q.text(1);
    j.spec = q.text(2);
    j.device = q.text(3);
    j.state = parseJobState(q.text(4));
    j.waitFor = json::parse(q.text(5)).get<std::vector<std::int64_t>>();
    j.attempt = q.int64(6);
    j.failures = q.integer(7);
    j.maxAttempts = q.integer(8);
    j.worker = q.text(9);
    if (!q.isNull(10)) j.leaseUntil = q.real(10);
    if (!q.isNull(11)) j.runId = q.int64(11);
    if (!q.isNull(12)) j.experimentId = q.int64(12);
    if (!q.isNull(13)) j.progress = q.real(13);
    j.errors = json::parse(q.text(14)).get<std::vector<std::string>>();
    j.createdAt = q.real(15);
    if (!q.isNull(16)) j.startedAt = q.real(16);
    if (!q.isNull(17)) j.finishedAt = q.real(17);
    return j;
}

std::string withError(const std::string& errorsJson, const std::string& error)
{
    auto errors = json::parse(errorsJson);
    errors.push_back(error);
    return errors.dump();
}

// A queued experiment's status follows its cell jobs (the workers run cells, not experiments):
// running while one is queued or running, else done when one is done, else failed (every cell
// failed) or cancelled. Inside the caller's write transaction, which the store serialises on
// both backends, so the last two cells finishing at once still settle it.
void settleExperimentOf(sql::Connection& db, std::int64_t jobId)
{
    auto e = db.prepare("SELECT experiment_id FROM jobs WHERE id = ?");
    e.bind(1, jobId);
    if (!e.step("reading a job's experiment") || e.isNull(0)) return;
    const auto experiment = e.int64(0);
    auto q = db.prepare("SELECT state, COUNT(*) FROM jobs WHERE experiment_id = ? GROUP BY state");
    q.bind(1, experiment);
    std::map<std::string, std::int64_t> count;
    while (q.step("counting an experiment's jobs"))
        count[q.text(0)] = q.int64(1);
    const auto status = count["queued"] + count["running"] ? "running"
                        : count["done"]                    ? "done"
                        : count["failed"]                  ? "failed"
                                                           : "cancelled";
    auto u = db.prepare("UPDATE experiments SET status = ? WHERE id = ?");
    u.bind(1, std::string(status)).bind(2, experiment).run("settling experiment " +
                                                           std::to_string(experiment));
}

} // namespace

std::string jobStateName(JobState state)
{
    for (const auto& [s, name] : kJobStates)
        if (s == state) return name;
    return "unknown";
}

JobState parseJobState(const std::string& name)
{
    for (const auto& [s, n] : kJobStates)
        if (n == name) return s;
    throw Error("unknown job state '" + name + "' (written by a newer version?)");
}

void setProcessJobFence(std::optional<JobFence> fence)
{
    std::lock_guard lock(g_fenceMutex);
    g_fence = fence;
}

std::optional<JobFence> processJobFence()
{
    std::lock_guard lock(g_fenceMutex);
    return g_fence;
}

std::int64_t RunStore::enqueueJob(const NewJob& job)
{
    std::int64_t id = 0;
    transaction([&] {
        for (const auto w : job.waitFor)
            this->job(w); // each must exist
        auto s = m_impl->prepare(
            "INSERT INTO jobs (kind, spec, device, state, wait_for, attempt, failures, "
            "max_attempts, worker, experiment_id, errors, created_at) "
            "VALUES (?, ?, ?, 'queued', ?, 0, 0, ?, '', ?, '[]', ?)");
        s.bind(1, job.kind).bind(2, job.spec).bind(3, job.device);
        s.bind(4, json(job.waitFor).dump()).bind(5, job.maxAttempts);
        if (job.experimentId)
            s.bind(6, *job.experimentId);
        else
            s.bindNull(6);
        s.bind(7, detail::now()).run("queueing a " + job.kind + " job");
        id = m_impl->db->lastInsertId();
    });
    return id;
}

std::optional<JobRecord> RunStore::claimJob(const std::string& worker,
                                            const std::vector<std::string>& devices,
                                            double leaseSeconds)
{
    std::optional<JobRecord> claimed;
    transaction([&] {
        const double t = detail::now();
        // Leases that ran out: their workers stopped heartbeating (killed, cut off, paused).
        auto expired =
            m_impl->prepare("SELECT id, worker, failures, max_attempts, errors FROM jobs "
                            "WHERE state = 'running' AND lease_until < ?");
        expired.bind(1, t);
        std::vector<std::tuple<std::int64_t, std::string, int, int, std::string>> stale;
        while (expired.step("finding expired leases"))
            stale.emplace_back(expired.int64(0), expired.text(1), expired.integer(2),
                               expired.integer(3), expired.text(4));
        for (const auto& [id, holder, failures, maxAttempts, errors] : stale) {
            const auto error =
                "worker " + holder + " stopped heartbeating (lease expired " + isoTime(t) + ")";
            const bool exhausted = failures + 1 >= maxAttempts;
            auto u = m_impl->prepare(
                "UPDATE jobs SET state = ?, failures = failures + 1, errors = ?, worker = '', "
                "lease_until = NULL, finished_at = ? WHERE id = ?");
            u.bind(1, std::string(exhausted ? "failed" : "queued"))
                .bind(2, withError(errors, error));
            if (exhausted)
                u.bind(3, t);
            else
                u.bindNull(3);
            u.bind(4, id).run("returning job " + std::to_string(id) + " to the queue");
            if (exhausted) settleExperimentOf(*m_impl->db, id);
        }

        // The queue in pages, oldest first: the first claimable job is usually on the first
        // page, so a claim reads a page of rows, not the whole queue.
        for (std::int64_t after = 0;;) {
            std::vector<JobRecord> page;
            auto q = m_impl->prepare(std::string("SELECT ") + kJobColumns +
                                     " FROM jobs WHERE state = 'queued' AND id > ? ORDER BY id "
                                     "LIMIT " +
                                     std::to_string(kClaimPage));
            q.bind(1, after);
            while (q.step("reading the queue"))
                page.push_back(readJob(q));
            if (page.empty()) return;
            after = page.back().id;
            for (auto& j : page) {
                if (std::find(devices.begin(), devices.end(), j.device) == devices.end())
                    continue;
                bool ready = true;
                for (const auto w : j.waitFor) {
                    auto d = m_impl->prepare("SELECT state FROM jobs WHERE id = ?");
                    d.bind(1, w);
                    ready = ready && d.step("reading a dependency") && d.text(0) == "done";
                }
                if (!ready) continue;
                auto u = m_impl->prepare(
                    "UPDATE jobs SET state = 'running', attempt = attempt + 1, worker = ?, "
                    "lease_until = ?, started_at = coalesce(started_at, ?) WHERE id = ?");
                u.bind(1, worker).bind(2, t + leaseSeconds).bind(3, t).bind(4, j.id);
                u.run("claiming job " + std::to_string(j.id));
                j.state = JobState::Running;
                j.attempt += 1;
                j.worker = worker;
                j.leaseUntil = t + leaseSeconds;
                claimed = std::move(j);
                return;
            }
        }
    });
    return claimed;
}

bool RunStore::renewJobLease(const JobFence& fence, double leaseSeconds,
                             std::optional<double> progress)
{
    bool held = false;
    transaction([&] {
        auto u =
            m_impl->prepare("UPDATE jobs SET lease_until = ?, progress = coalesce(?, progress) "
                            "WHERE id = ? AND attempt = ? AND state = 'running'");
        u.bind(1, detail::now() + leaseSeconds);
        if (progress)
            u.bind(2, *progress);
        else
            u.bindNull(2);
        u.bind(3, fence.jobId).bind(4, fence.attempt).run("renewing a job lease");
        held = m_impl->db->changes() == 1;
    });
    return held;
}

void RunStore::setJobRun(const JobFence& fence, std::int64_t runId)
{
    transaction([&] {
        auto u = m_impl->prepare(
            "UPDATE jobs SET run_id = ? WHERE id = ? AND attempt = ? AND state = 'running'");
        u.bind(1, runId).bind(2, fence.jobId).bind(3, fence.attempt).run("linking a job's run");
        if (m_impl->db->changes() != 1)
            throw FencedOut("job " + std::to_string(fence.jobId) + " attempt " +
                            std::to_string(fence.attempt) + " no longer holds its lease");
    });
}

JobState RunStore::finishJob(const JobFence& fence, bool succeeded, const std::string& error)
{
    JobState state = JobState::Done;
    transaction([&] {
        auto q = m_impl->prepare("SELECT failures, max_attempts, errors FROM jobs "
                                 "WHERE id = ? AND attempt = ? AND state = 'running'");
        q.bind(1, fence.jobId).bind(2, fence.attempt);
        if (!q.step("finishing a job"))
            throw FencedOut("job " + std::to_string(fence.jobId) + " attempt " +
                            std::to_string(fence.attempt) + " no longer holds its lease");
        const int failures = q.integer(0) + (succeeded ? 0 : 1);
        const int maxAttempts = q.integer(1);
        const auto errors = succeeded ? q.text(2) : withError(q.text(2), error);
        state = succeeded                 ? JobState::Done
                : failures >= maxAttempts ? JobState::Failed
                                          : JobState::Queued;
        // A finished job keeps the name of the worker that ran it last; a queued one has none.
        const auto name = jobStateName(state);
        auto u = m_impl->prepare(
            "UPDATE jobs SET state = ?, failures = ?, errors = ?, "
            "worker = CASE WHEN ? = 'queued' THEN '' ELSE worker END, lease_until = NULL, "
            "progress = CASE WHEN ? = 'done' THEN 1 ELSE progress END, finished_at = ? "
            "WHERE id = ?");
        u.bind(1, name).bind(2, failures).bind(3, errors).bind(4, name).bind(5, name);
        if (state == JobState::Queued)
            u.bindNull(6);
        else
            u.bind(6, detail::now());
        u.bind(7, fence.jobId).run("finishing job " + std::to_string(fence.jobId));
        settleExperimentOf(*m_impl->db, fence.jobId);
    });
    return state;
}

void RunStore::releaseJob(const JobFence& fence, const std::string& reason)
{
    transaction([&] {
        auto q = m_impl->prepare(
            "SELECT errors FROM jobs WHERE id = ? AND attempt = ? AND state = 'running'");
        q.bind(1, fence.jobId).bind(2, fence.attempt);
        if (!q.step("releasing a job")) return; // taken over or cancelled meanwhile
        auto u = m_impl->prepare("UPDATE jobs SET state = 'queued', worker = '', "
                                 "lease_until = NULL, errors = ? WHERE id = ?");
        u.bind(1, withError(q.text(0), reason)).bind(2, fence.jobId).run("releasing a job");
    });
}

void RunStore::cancelJob(std::int64_t id)
{
    transaction([&] {
        const auto j = job(id);
        if (j.state != JobState::Queued && j.state != JobState::Running)
            throw Error("job " + std::to_string(id) + " is " + jobStateName(j.state) +
                        ": only queued or running jobs can be cancelled");
        auto u = m_impl->prepare("UPDATE jobs SET state = 'cancelled', worker = '', "
                                 "lease_until = NULL, finished_at = ? WHERE id = ?");
        u.bind(1, detail::now()).bind(2, id).run("cancelling job " + std::to_string(id));
        settleExperimentOf(*m_impl->db, id);
    });
}

void RunStore::retryJob(std::int64_t id)
{
    transaction([&] {
        const auto j = job(id);
        if (j.state != JobState::Failed && j.state != JobState::Cancelled)
            throw Error("job " + std::to_string(id) + " is " + jobStateName(j.state) +
                        ": only failed or cancelled jobs can be retried");
        auto u = m_impl->prepare("UPDATE jobs SET state = 'queued', failures = 0, "
                                 "finished_at = NULL WHERE id = ?");
        u.bind(1, id).run("retrying job " + std::to_string(id));
        settleExperimentOf(*m_impl->db, id);
    });
}

std::vector<JobRecord> RunStore::jobs()
{
    std::vector<JobRecord> out;
    auto q = m_impl->prepare(std::string("SELECT ") + kJobColumns + " FROM jobs ORDER BY id");
    while (q.step("listing jobs"))
        out.push_back(readJob(q));
    return out;
}

JobRecord RunStore::job(std::int64_t id)
{
    auto q = m_impl->prepare(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?");
    q.bind(1, id);
    if (!q.step("reading job " + std::to_string(id)))
        throw Error("job " + std::to_string(id) + " not found in " + m_impl->path);
    return readJob(q);
}

void RunStore::recordWorker(const WorkerRecord& w)
{
    transaction([&] {
        auto d = m_impl->prepare("DELETE FROM workers WHERE name = ?");
        d.bind(1, w.name).run("recording a worker");
        auto s = m_impl->prepare(
            "INSERT INTO workers (name, host, pid, device, state, job_id, started_at, "
            "heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        s.bind(1, w.name).bind(2, w.host).bind(3, w.pid).bind(4, w.device).bind(5, w.state);
        if (w.jobId)
            s.bind(6, *w.jobId);
        else
            s.bindNull(6);
        s.bind(7, w.startedAt).bind(8, w.heartbeatAt).run("recording a worker");
    });
}

std::vector<WorkerRecord> RunStore::workers()
{
    std::vector<WorkerRecord> out;
    auto q = m_impl->prepare("SELECT name, host, pid, device, state, job_id, started_at, "
                             "heartbeat_at FROM workers ORDER BY name");
    while (q.step("listing workers")) {
        WorkerRecord w{q.text(0), q.text(1), q.int64(2), q.text(3),
                       q.text(4), {},        q.real(6),  q.real(7)};
        if (!q.isNull(5)) w.jobId = q.int64(5);
        out.push_back(std::move(w));
    }
    return out;
}

} // namespace wb::store
