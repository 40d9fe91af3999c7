// `supernet worker`, `queue list|cancel|retry` and `workers`: the job queue of a workspace.

#include "commands.h"
#include "interrupt.h"
#include "progress_printer.h"
#include "store_flags.h"

#include "wb/jobs/queue.h"
#include "wb/store/json_shapes.h"
#include "wb/store/run_store.h"
#include "wb/store/workspace_location.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

using nlohmann::json;

namespace wb::cli {
namespace {

json jobJson(const store::JobRecord& j)
{
    const auto optional = [](const auto& v) { return v ? json(*v) : json(nullptr); };
    const auto time = [](const std::optional<double>& t) {
        return t ? json(store::isoTime(*t)) : json(nullptr);
    };
    return {{"schema_version", store::kJsonSchemaVersion},
            {"id", j.id},
            {"kind", j.kind},
            {"state", store::jobStateName(j.state)},
            {"device", j.device},
            {"wait_for", j.waitFor},
            {"attempt", j.attempt},
            {"failures", j.failures},
            {"max_attempts", j.maxAttempts},
            {"worker", j.worker},
            {"run_id", optional(j.runId)},
            {"experiment_id", optional(j.experimentId)},
            {"progress", optional(j.progress)},
            {"errors", j.errors},
            {"created_at", store::isoTime(j.createdAt)},
            {"started_at", time(j.startedAt)},
            {"finished_at", time(j.finishedAt)},
            {"spec", json::parse(j.spec)}};
}

// Progress of the worker's jobs on stderr.
class WorkerPrinter : public jobs::WorkerObserver {
public:
    void onJobStarted(const store::JobRecord& job) override
    {
        std::cerr << "job " << job.id << " (" << job.kind << ", attempt " << job.attempt
                  << "): started" << std::endl;
    }
    void onJobEnded(const store::JobRecord& job, const std::string& outcome) override
    {
        std::cerr << "job " << job.id << ": " << outcome << std::endl;
    }
    darts::RunObserver& jobObserver(int epochs) override
    {
        m_progress = std::make_unique<ProgressPrinter>(epochs, true);
        return *m_progress;
    }

private:
    std::unique_ptr<ProgressPrinter> m_progress;
};

void addWorker(CLI::App& root, int& exitCode)
{
    struct Options {
        StoreFlags store;
        jobs::WorkerOptions worker;
    };
    auto o = std::make_shared<Options>();
    auto& w = o->worker;
    auto* cmd = root.add_subcommand(
        "worker", "Run queued jobs of the workspace one at a time (start as many as you like, on "
                  "any machine that reaches the workspace)");
    o->store.add(*cmd, false);
    cmd->add_option("--threads", w.threads,
                    "Intra-op CPU threads of each job (default: the job's)");
    cmd->add_option("--max-jobs", w.maxJobs, "Stop after N jobs (0 = no limit)")
        ->capture_default_str();
    cmd->add_option("--idle-exit", w.idleExitSeconds,
                    "Stop after SECONDS without a job to run (default: never)");
    cmd->add_option("--name", w.name, "Worker name (default: HOST-PID)");
    cmd->add_option("--data-root", w.dataRoots,
                    "Folder the worker may read datasets from; queued relative paths are joined "
                    "to it (repeatable; required for jobs that read datasets)");
    cmd->add_option("--device", w.device, "Claim only jobs for this device")->capture_default_str();
    cmd->add_option("--lease", w.leaseSeconds,
                    "Seconds a job stays claimed without a heartbeat before another worker may "
                    "take it over")
        ->capture_default_str()
        ->check(CLI::Range(1.0, 86400.0));
    cmd->add_option("--poll", w.pollSeconds, "Seconds between looks at an empty queue")
        ->capture_default_str()
        ->check(CLI::Range(0.05, 3600.0));
    cmd->callback([o, &exitCode] {
        o->worker.db = o->store.path();
        {
            auto db = store::RunStore::openExisting(o->worker.db); // schema checked here
        }
        RunControl control;
        InterruptGuard guard(control);
        WorkerPrinter printer;
        std::cerr << "worker " << (o->worker.name.empty() ? "(host-pid)" : o->worker.name) << " on "
                  << store::redactedWorkspace(o->worker.db) << std::endl;
        const auto s = jobs::runWorker(o->worker, control, printer);
        std::cerr << "worker: " << s.done << " done, " << s.failed << " failed, " << s.released
                  << " given back, " << s.lost << " lost" << std::endl;
        exitCode = control.stopRequested() ? guard.cancelledExitCode() : 0;
    });
}

void addQueue(CLI::App& root, int& exitCode)
{
    struct Options {
        StoreFlags store;
        std::int64_t id = 0;
        bool json = false;
    };
    auto o = std::make_shared<Options>();
    auto* queue = root.add_subcommand("queue", "The workspace's job queue (list, cancel, retry)");
    queue->require_subcommand(1);
    auto* list = queue->add_subcommand("list", "Jobs with their state, worker and progress");
    o->store.add(*list, false);
    list->add_flag("--json", o->json, "Print a JSON array");
    list->callback([o, &exitCode] {
        auto db = store::RunStore::openExisting(o->store.path());
        const auto jobs = db.jobs();
        if (o->json) {
            auto out = json::array();
            for (const auto& j : jobs)
                out.push_back(jobJson(j));
            std::cout << out.dump(2) << std::endl;
        } else if (jobs.empty()) {
            std::cout << "no jobs queued in " << db.path() << "\n";
        } else {
            std::printf("%5s  %-15s  %-9s  %-7s  %-20s  %8s  %s\n", "ID", "KIND", "STATE", "TRIES",
                        "WORKER", "PROGRESS", "RUN");
            for (const auto& j : jobs)
                std::printf("%5lld  %-15s  %-9s  %3lld/%-3d  %-20s  %7.0f%%  %s\n",
                            static_cast<long long>(j.id), j.kind.c_str(),
                            store::jobStateName(j.state).c_str(), static_cast<long long>(j.attempt),
                            j.maxAttempts, j.worker.c_str(), 100 * j.progress.value_or(0),
                            j.runId ? std::to_string(*j.runId).c_str() : "-");
        }
        exitCode = 0;
    });
    for (const char* name : {"cancel", "retry"}) {
        auto* cmd = queue->add_subcommand(
            name, std::string(name) == "cancel"
                      ? "Cancel a queued or running job (its worker stops at the next heartbeat)"
                      : "Queue a failed or cancelled job again");
        cmd->add_option("id", o->id, "Job id")->required();
        o->store.add(*cmd, false);
        const bool cancel = std::string(name) == "cancel";
        cmd->callback([o, cancel, &exitCode] {
            auto db = store::RunStore::openExisting(o->store.path());
            if (cancel)
                db.cancelJob(o->id);
            else
                db.retryJob(o->id);
            std::cerr << "job " << o->id << (cancel ? " cancelled" : " queued again") << std::endl;
            exitCode = 0;
        });
    }
}

void addWorkers(CLI::App& root, int& exitCode)
{
    struct Options {
        StoreFlags store;
        bool json = false;
    };
    auto o = std::make_shared<Options>();
    auto* cmd = root.add_subcommand("workers", "The workers that used this workspace");
    o->store.add(*cmd, false);
    cmd->add_flag("--json", o->json, "Print a JSON array");
    cmd->callback([o, &exitCode] {
        auto db = store::RunStore::openExisting(o->store.path());
        const auto workers = db.workers();
        auto out = json::array();
        for (const auto& w : workers)
            out.push_back({{"schema_version", store::kJsonSchemaVersion},
                           {"name", w.name},
                           {"host", w.host},
                           {"pid", w.pid},
                           {"device", w.device},
                           {"state", w.state},
                           {"job_id", w.jobId ? json(*w.jobId) : json(nullptr)},
                           {"started_at", store::isoTime(w.startedAt)},
                           {"heartbeat_at", store::isoTime(w.heartbeatAt)}});
        if (o->json) {
            std::cout << out.dump(2) << std::endl;
        } else {
            for (const auto& w : workers)
                std::printf("%-24s %-16s %7lld  %-5s %-8s job %-6s heartbeat %s\n", w.name.c_str(),
                            w.host.c_str(), static_cast<long long>(w.pid), w.device.c_str(),
                            w.state.c_str(), w.jobId ? std::to_string(*w.jobId).c_str() : "-",
                            store::isoTime(w.heartbeatAt).c_str());
        }
        exitCode = 0;
    });
}

} // namespace

void addQueueCommands(CLI::App& root, int& exitCode)
{
    addWorker(root, exitCode);
    addQueue(root, exitCode);
    addWorkers(root, exitCode);
}

} // namespace wb::cli
