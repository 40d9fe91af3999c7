#include "search_session.h"

#include "wb/darts/search.h"
#include "wb/jobs/recorded.h"
#include "wb/jobs/resume.h"

namespace wb::session {
namespace {

// The workbench shows a store error like any other run issue (the CLI prints it).
darts::SearchResult reported(jobs::Recorded<darts::SearchResult> job, darts::RunObserver& observer)
{
    if (job.storeError) {
        const Issue issue{Severity::Error, "store",
                          "the run store could not record everything: " + *job.storeError,
                          int(job.result.epochs.size())};
        observer.onIssue(issue);
        job.result.issues.push_back(issue);
    }
    return std::move(job.result);
}

} // namespace

// Kept in its own translation unit: only code that asks for the real search pulls LibTorch's
// wb_core objects into the link.
SearchSession::Runner SearchSession::searchRunner(darts::SearchConfig config)
{
    return [config = std::move(config)](RunControl& control, darts::RunObserver& observer) {
        return darts::runSearch(config, control, observer);
    };
}

SearchSession::Runner
SearchSession::recordedSearchRunner(std::string dbPath, darts::SearchConfig config,
                                    std::optional<store::TransferRecord> transfer,
                                    std::function<void(std::int64_t)> onRunCreated)
{
    return [=](RunControl& control, darts::RunObserver& observer) {
        return reported(
            jobs::recordedSearch(dbPath, config, control, observer, onRunCreated, transfer),
            observer);
    };
}

SearchSession::Runner SearchSession::resumedSearchRunner(std::string dbPath, std::int64_t id,
                                                         int threads)
{
    return [=](RunControl& control, darts::RunObserver& observer) {
        jobs::ResumeOptions resume;
        resume.threads = threads;
        return reported(jobs::resumeRecordedSearch(dbPath, id, resume, control, observer),
                        observer);
    };
}

} // namespace wb::session
