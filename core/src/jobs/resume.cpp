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
    if (run.kind != "search" && run.kind != "train")
        return id + " is a " + run.kind + " run: only searches and trainings can be resumed";
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

namespace {

// Plans, reopens and continues recorded run `id` of `kind`: resume(config, checkpoints,
// observers) runs the job from its checkpoints.
template <typename Config, typename Result, typename Resume>
Recorded<Result> resumeRecorded(const std::string& db, std::int64_t id, const char* kind,
                                const ResumeOptions& options, darts::RunObserver& observer,
                                Resume&& resume)
{
    ResumePlan plan;
    {
        store::RunStore::Options existing;
        existing.create = false; // a mistyped --db must not leave an empty workspace behind
        auto store = store::RunStore::open(db, existing);
        plan = planResume(store, id, options.takeOver);
    }
    if (plan.run.kind != kind)
        throw Error("run " + std::to_string(id) + " is a " + plan.run.kind + " run, not a " + kind);
    if (!plan.unusable.empty()) throw Error("cannot resume: " + plan.unusable);
    auto config = Config::fromJson(plan.run.configJson);
    if (options.threads >= 0) config.runtime.threads = options.threads;
    auto recorded = store::RecordedJob::reopen(db, id, options.takeOver);
    config.checkpointDir = recorded->directory();
    darts::ObserverList observers{&observer, &recorded->observer()};
    Recorded<Result> out;
    out.runId = id;
    out.result = resume(config, plan.checkpoints, observers);
    out.storeError = recorded->finish(out.result.status, out.result.error);
    return out;
}

} // namespace

Recorded<darts::SearchResult> resumeRecordedSearch(const std::string& db, std::int64_t id,
                                                   const ResumeOptions& options,
                                                   RunControl& control,
                                                   darts::RunObserver& observer)
{
    return resumeRecorded<darts::SearchConfig, darts::SearchResult>(
        db, id, "search", options, observer,
        [&](darts::SearchConfig& config, const auto& checkpoints, darts::RunObserver& o) {
            if (options.localise) options.localise(config);
            return darts::resumeSearch(config, checkpoints, control, o);
        });
}

Recorded<darts::TrainResult> resumeRecordedTrain(const std::string& db, std::int64_t id,
                                                 const ResumeOptions& options, RunControl& control,
                                                 darts::RunObserver& observer)
{
    return resumeRecorded<darts::TrainConfig, darts::TrainResult>(
        db, id, "train", options, observer,
        [&](darts::TrainConfig& config, const auto& checkpoints, darts::RunObserver& o) {
            if (options.localiseTrain) options.localiseTrain(config);
            return darts::resumeTrain(config, checkpoints, control, o);
        });
}

} // namespace wb::jobs
