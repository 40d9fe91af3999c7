#include "wb/common/error.h"
#include "wb/darts/observer_list.h"
#include "wb/data/dataset.h"
#include "wb/jobs/queue.h"
#include "wb/jobs/recorded.h"
#include "wb/jobs/resume.h"
#include "wb/jobs/warm_start_source.h"
#include "wb/jobs/zoo_entry.h"
#include "wb/store/run_store.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace wb::jobs {
namespace {

double now()
{
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string hostName()
{
    char buffer[256] = {};
    return gethostname(buffer, sizeof buffer - 1) == 0 ? buffer : "unknown";
}

// The dataset of a stored path on this machine, its fingerprint checked before any training.
std::string localDataset(const DataRoots& roots, const QueuedJob& job, const std::string& stored,
                         const darts::DataConfig& how)
{
    const auto path = roots.resolve(stored);
    for (const auto& [p, fingerprint] : job.fingerprints)
        if (p == stored) {
            data::LoadOptions o;
            o.format = how.format;
            o.imageSize = how.imageSize;
            o.channels = how.imageChannels;
            const auto found = data::loadDataset(path, o).fingerprint;
            if (found != fingerprint)
                throw Error("dataset " + path + " is not the one queued (fingerprint " +
                            found.substr(0, 12) + "…, expected " + fingerprint.substr(0, 12) +
                            "…)");
        }
    return path;
}

void localise(darts::SearchConfig& c, const DataRoots& roots, const QueuedJob& job)
{
    c.data.path = localDataset(roots, job, c.data.path, c.data);
    for (auto& more : c.moreData)
        more.path = localDataset(roots, job, more.path, more);
}

// Renews the lease while a job runs; stops the job when the lease is lost.
class LeaseKeeper {
public:
    LeaseKeeper(const WorkerOptions& o, store::JobFence fence, RunControl& control)
        : m_options(o), m_fence(fence), m_control(control), m_thread([this] { loop(); })
    {
    }
    ~LeaseKeeper()
    {
        {
            std::lock_guard lock(m_mutex);
            m_done = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }
    bool lost() const { return m_lost; }
    void setProgress(double p) { m_progress = p; }

private:
    void loop()
    {
        const auto period =
            std::chrono::duration<double>(std::max(0.2, m_options.leaseSeconds / 4));
        std::unique_lock lock(m_mutex);
        while (!m_wake.wait_for(lock, period, [this] { return m_done; })) {
            bool held = true;
            try {
                held = store::RunStore::open(m_options.db)
                           .renewJobLease(m_fence, m_options.leaseSeconds, m_progress.load());
            } catch (const store::FencedOut&) {
                held = false;
            } catch (const Error&) {
                continue; // the database is busy or unreachable: the next beat may get through
            }
            if (!held) {
                m_lost = true;
                m_control.requestStop();
                return;
            }
        }
    }

    const WorkerOptions& m_options;
    store::JobFence m_fence;
    RunControl& m_control;
    std::atomic<bool> m_lost{false};
    std::atomic<double> m_progress{0};
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_done = false;
    std::thread m_thread;
};

// Reports the share of epochs done to the lease keeper.
class ProgressTap : public darts::RunObserver {
public:
    ProgressTap(LeaseKeeper& lease, int epochs) : m_lease(lease), m_epochs(std::max(1, epochs)) {}
    void onEpoch(const darts::EpochMetrics& m) override
    {
        m_lease.setProgress(std::min(1.0, double(m.epoch) / m_epochs));
    }

private:
    LeaseKeeper& m_lease;
    int m_epochs;
};

// Forwards the cell's jobs to the worker's observer.
class CellProgress : public ExperimentObserver {
public:
    explicit CellProgress(WorkerObserver& to) : m_to(to) {}
    darts::RunObserver& jobObserver(const std::string&, int epochs) override
    {
        return m_to.jobObserver(epochs);
    }

private:
    WorkerObserver& m_to;
};

struct Ran {
    RunStatus status = RunStatus::Failed;
    std::string error;
};

template <typename Result> Ran ran(const Recorded<Result>& r)
{
    auto error = r.result.error;
    if (r.storeError) error += (error.empty() ? "" : "; ") + *r.storeError;
    return {r.result.status, error};
}

Ran runJob(const WorkerOptions& o, const store::JobRecord& record, const QueuedJob& job,
           const store::JobFence& fence, RunControl& control, darts::RunObserver& observer,
           WorkerObserver& front)
{
    const DataRoots roots{o.dataRoots};
    const auto created = [&](std::int64_t runId) {
        store::RunStore::open(o.db).setJobRun(fence, runId);
    };
    if (record.kind == "experiment-cell") {
        auto store = store::RunStore::open(o.db);
        auto spec = ExperimentSpec::fromJson(store.experiment(job.experimentId).specJson);
        if (o.threads >= 0) spec.search.runtime.threads = o.threads;
        const auto path = localDataset(roots, job, job.fingerprints.at(0).first, spec.search.data);
        ExperimentOptions options;
        options.takeOverRunning = true;
        options.resolveTarget = [path](const std::string&) { return path; };
        CellProgress progress(front);
        bool stopped = false;
        const auto cell = runExperimentCell(o.db, job.experimentId, spec, job.target, job.seed,
                                            job.arm, options, control, progress, &stopped);
        if (stopped) return {RunStatus::Cancelled, {}};
        if (cell.state == store::CellState::Failed) return {RunStatus::Failed, cell.error};
        return {RunStatus::Done, {}};
    }
    if (record.kind == "train") {
        auto config = job.train;
        config.data.path = localDataset(roots, job, config.data.path, config.data);
        if (o.threads >= 0) config.runtime.threads = o.threads;
        if (!record.runId) return ran(recordedTrain(o.db, config, control, observer, created));
        // An earlier attempt created the run: continue it from its newest checkpoint.
        ResumeOptions resume;
        resume.threads = config.runtime.threads;
        resume.takeOver = true;
        resume.localiseTrain = [&](darts::TrainConfig& c) { c.data = config.data; };
        return ran(resumeRecordedTrain(o.db, *record.runId, resume, control, observer));
    }
    auto config = job.search;
    localise(config, roots, job);
    if (o.threads >= 0) config.runtime.threads = o.threads;
    Recorded<darts::SearchResult> search;
    if (record.runId) {
        // An earlier attempt created the run: continue it from its newest checkpoint.
        ResumeOptions resume;
        resume.threads = config.runtime.threads;
        resume.takeOver = true;
        resume.localise = [&](darts::SearchConfig& c) { localise(c, roots, job); };
        search = resumeRecordedSearch(o.db, *record.runId, resume, control, observer);
    } else if (record.kind == "transfer") {
        ot::OtObserver quiet;
        const auto choice =
            chooseWarmStart(o.db, job.source, config, job.distance, job.keepHead, control, quiet);
        search = recordedSearch(o.db, config, control, observer, created, choice.record());
    } else {
        search = recordedSearch(o.db, config, control, observer, created, std::nullopt,
                                record.kind == "pretrain" ? "pretrain" : "");
    }
    auto result = ran(search);
    if (record.kind == "pretrain" && result.status == RunStatus::Done) {
        auto store = store::RunStore::open(o.db);
        store.addZooEntry(zooEntryForRun(store, search.runId, job.zooName));
    }
    return result;
}

} // namespace

WorkerSummary runWorker(const WorkerOptions& options, RunControl& control, WorkerObserver& observer)
{
    auto o = options;
    if (o.name.empty()) o.name = hostName() + "-" + std::to_string(getpid());
    store::WorkerRecord self{o.name, hostName(), getpid(), o.device, "idle", {}, now(), now()};
    const auto beat = [&](const std::string& state, std::optional<std::int64_t> job) {
        self.state = state;
        self.jobId = job;
        self.heartbeatAt = now();
        store::RunStore::open(o.db).recordWorker(self);
    };
    beat("idle", std::nullopt);
    WorkerSummary summary;
    double idleSince = now();
    int jobs = 0;
    while (!control.stopRequested() && (o.maxJobs <= 0 || jobs < o.maxJobs)) {
        auto claimed = store::RunStore::open(o.db).claimJob(o.name, {o.device}, o.leaseSeconds);
        if (!claimed) {
            if (o.idleExitSeconds >= 0 && now() - idleSince >= o.idleExitSeconds) break;
            std::this_thread::sleep_for(std::chrono::duration<double>(o.pollSeconds));
            if (now() - self.heartbeatAt > 5) beat("idle", std::nullopt);
            continue;
        }
        ++jobs;
        const store::JobFence fence{claimed->id, claimed->attempt};
        beat("running", claimed->id);
        observer.onJobStarted(*claimed);
        RunControl jobControl;
        Ran result;
        bool lost = false;
        {
            store::setProcessJobFence(fence);
            LeaseKeeper lease(o, fence, jobControl);
            // The worker's stop request reaches the job at its next safe point.
            std::atomic<bool> running{true};
            std::thread relay([&] {
                while (running && !control.stopRequested())
                    std::this_thread::sleep_for(std::chrono::milliseconds(50));
                if (running) jobControl.requestStop();
            });
            try {
                const auto spec = QueuedJob::fromJson(claimed->kind, claimed->spec);
                const int epochs = claimed->kind == "train"             ? spec.train.epochs
                                   : claimed->kind == "experiment-cell" ? 1 // per cell job
                                                                        : spec.search.epochs;
                auto& front = observer.jobObserver(epochs);
                ProgressTap tap(lease, epochs);
                darts::ObserverList observers{&front, &tap};
                result = runJob(o, *claimed, spec, fence, jobControl, observers, observer);
            } catch (const store::FencedOut& e) {
                result = {RunStatus::Cancelled, e.what()};
            } catch (const std::exception& e) {
                result = {RunStatus::Failed, e.what()};
            }
            running = false;
            relay.join();
            lost = lease.lost();
            store::setProcessJobFence(std::nullopt);
        }
        std::string outcome;
        try {
            auto store = store::RunStore::open(o.db);
            if (lost) {
                outcome = "lost its lease (taken over or cancelled)";
                ++summary.lost;
            } else if (result.status == RunStatus::Done) {
                store.finishJob(fence, true);
                outcome = "done";
                ++summary.done;
            } else if (result.status == RunStatus::Cancelled) {
                store.releaseJob(fence, "worker " + o.name + " stopped; given back to the queue");
                outcome = "given back to the queue";
                ++summary.released;
            } else {
                const auto state = store.finishJob(fence, false, result.error);
                outcome = "failed (" + store::jobStateName(state) + "): " + result.error;
                ++summary.failed;
            }
        } catch (const store::FencedOut&) {
            outcome = "lost its lease (taken over or cancelled)";
            ++summary.lost;
        }
        observer.onJobEnded(*claimed, outcome);
        beat("idle", std::nullopt);
        idleSince = now();
    }
    beat("stopped", std::nullopt);
    return summary;
}

} // namespace wb::jobs
