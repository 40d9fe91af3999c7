#include "wb/store/run_filter.h"

#include "wb/common/error.h"

#include <algorithm>

namespace wb::store {
namespace {

bool matchesDataset(const RunSummary& r, const std::string& text)
{
    return r.datasetPath.find(text) != std::string::npos ||
           (!r.datasetFingerprint.empty() && r.datasetFingerprint.starts_with(text));
}

// Higher first, missing values last.
bool higher(const std::optional<double>& a, const std::optional<double>& b)
{
    if (a && b) return *a > *b;
    return a.has_value() && !b.has_value();
}

} // namespace

RunOrder parseRunOrder(const std::string& name)
{
    if (name == "id") return RunOrder::Id;
    if (name == "started") return RunOrder::Started;
    if (name == "val") return RunOrder::BestVal;
    if (name == "test") return RunOrder::TestAcc;
    if (name == "seconds") return RunOrder::Seconds;
    throw Error("--sort " + name + ": unknown order (choose id, started, val, test or seconds)");
}

void requireKnownRole(const std::string& role)
{
    for (const char* known : {"search", "pretrain", "transfer", "train"})
        if (role == known) return;
    throw Error("--kind " + role + ": unknown kind (choose search, pretrain, transfer or train)");
}

void requireKnownStatus(const std::string& status)
{
    for (const char* known : {"running", "done", "stopped", "cancelled", "failed", "interrupted"})
        if (status == known) return;
    throw Error("--status " + status +
                ": unknown status (choose running, done, stopped, cancelled, failed or "
                "interrupted)");
}

std::vector<RunSummary> filterRuns(std::vector<RunSummary> runs, const RunFilter& f)
{
    std::erase_if(runs, [&](const RunSummary& r) {
        return (!f.role.empty() && r.role != f.role) ||
               (!f.status.empty() && statusName(r.status, r.stopReason) != f.status) ||
               (!f.dataset.empty() && !matchesDataset(r, f.dataset)) ||
               (!f.tag.empty() && std::find(r.tags.begin(), r.tags.end(), f.tag) == r.tags.end());
    });
    const auto before = [&](const RunSummary& a, const RunSummary& b) {
        switch (f.order) {
        case RunOrder::Id:
            return a.id < b.id;
        case RunOrder::Started:
            return a.startedAt < b.startedAt;
        case RunOrder::BestVal:
            return higher(a.bestValAcc, b.bestValAcc);
        case RunOrder::TestAcc:
            return higher(a.testAcc, b.testAcc);
        case RunOrder::Seconds:
            return a.seconds > b.seconds;
        }
        return false;
    };
    std::stable_sort(runs.begin(), runs.end(), before);
    if (f.limit > 0 && runs.size() > std::size_t(f.limit)) {
        if (f.order == RunOrder::Id) // the newest: the tail of the ascending ids
            runs.erase(runs.begin(), runs.end() - f.limit);
        else
            runs.resize(std::size_t(f.limit));
    }
    if (f.reverse) std::reverse(runs.begin(), runs.end());
    return runs;
}

} // namespace wb::store
