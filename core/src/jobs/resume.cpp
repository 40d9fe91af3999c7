#include "wb/jobs/resume.h"

#include "wb/common/error.h"
#include "wb/common/sha256.h"
#include "wb/darts/observer_list.h"
#include "wb/store/recorded_job.h"

#include <filesystem>

namespace wb::jobs {

std::optional<std::string> whyNotResumable(const store::RunDetails& run, bool takeOver)
{
    const auto id = "run " + std::to_string(run.id);
    if (run.kind != "search")
        return id + " is a " + run.kind + " run: only searches can be resumed";
    if ((run.status == RunStatus::Running && !takeOver) || run.status == RunStatus::Done)
        return id + " is " + statusName(run.status) +
               ": only interrupted, cancelled or failed runs can be resumed";
    return std::nullopt;
}

ResumePlan planResume(store::RunStore& db, std::int64_t id, bool takeOver)
{
    ResumePlan plan;
    plan.run = db.run(id);
    if (const auto why = whyNotResumable(plan.run, takeOver)) throw Error(*why);
    std::string problems;
    for (auto c : store::resumeCheckpoints(db, id)) {
        std::string problem;
        // Written on another machine: the server workspace's copy, fetched into this one's run
        // folder.
        const auto local = db.localRunFile(id, c.path);
        if (local.empty())
            problem = c.path + ": missing";
        else if (!c.sha256.empty() && fileSha256(local) != c.sha256)
            problem = local + ": checksum mismatch";
        c.path = local;
        if (problem.empty())
            plan.checkpoints.push_back(c);
        else
            problems += (problems.empty() ? "" : "; ") + problem;
    }
    if (plan.checkpoints.empty() && plan.run.epochs > 0)
        plan.unusable = "run " + std::to_string(id) + " recorded " +
                        std::to_string(plan.run.epochs) + " epochs but has no usable checkpoint" +
                        (problems.empty() ? " (none was recorded)" : " (" + problems + ")");
    return plan;
}

Recorded<darts::SearchResult> resumeRecordedSearch(const std::string& db, std::int64_t id,
                                                   const ResumeOptions& options,
                                                   RunControl& control,
                                                   darts::RunObserver& observer)
{
    ResumePlan plan;
    {
        store::RunStore::Options existing;
        existing.create = false; // a mistyped --db must not leave an empty workspace behind
        auto store = store::RunStore::open(db, existing);
        plan = planResume(store, id, options.takeOver);
    }
    if (!plan.unusable.empty()) throw Error("cannot resume: " + plan.unusable);
    auto config = darts::SearchConfig::fromJson(plan.run.configJson);
    if (options.threads >= 0) config.runtime.threads = options.threads;
    if (options.localise) options.localise(config);
    auto recorded = store::RecordedJob::reopen(db, id, options.takeOver);
    config.checkpointDir = recorded->directory();
    darts::ObserverList observers{&observer, &recorded->observer()};
    Recorded<darts::SearchResult> out;
    out.runId = id;
    out.result = darts::resumeSearch(config, plan.checkpoints, control, observers);
    out.storeError = recorded->finish(out.result.status, out.result.error);
    return out;
}

} // namespace wb::jobs
