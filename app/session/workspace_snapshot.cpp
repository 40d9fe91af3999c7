#include "workspace_snapshot.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace wb::session {

namespace {

// The listed fields of a run: when none changed, neither did what is read of it.
auto listed(const store::RunSummary& r)
{
    return std::tie(r.id, r.status, r.epochs, r.bestValAcc, r.seconds, r.finishedAt, r.testAcc,
                    r.tags);
}

} // namespace

WorkspaceSnapshot WorkspaceSnapshot::read(store::RunStore& store, const WorkspaceSnapshot* previous)
{
    WorkspaceSnapshot s;
    s.runs = store.listRuns();
    std::map<std::int64_t, const store::RunSummary*> before;
    if (previous)
        for (const auto& r : previous->runs)
            before[r.id] = &r;
    for (const auto& r : s.runs) {
        // A run just created may not have its transfer link yet: always read those afresh.
        const auto old = before.find(r.id);
        const bool settled = r.epochs > 0 || r.status != RunStatus::Running;
        if (settled && old != before.end() && listed(*old->second) == listed(r)) {
            if (const auto it = previous->sources.find(r.id); it != previous->sources.end())
                s.sources.insert(*it);
            if (const auto it = previous->searches.find(r.id); it != previous->searches.end())
                s.searches.insert(*it);
            continue;
        }
        auto transfer = store.transfer(r.id);
        if (transfer) s.sources[r.id] = transfer->zooName;
        if ((r.kind != "search" && r.kind != "train") || r.epochs == 0) continue;
        SearchCurve c;
        c.summary = r;
        const auto details = store.run(r.id);
        c.seed = details.seed;
        c.genotype = details.genotype;
        if (details.dataset) c.valImages = details.dataset->valImages;
        c.transfer = std::move(transfer);
        c.epochs = store.epochs(r.id);
        s.searches[r.id] = std::move(c);
    }
    s.experiments = store.experiments();
    for (auto& e : s.experiments)
        e = store.experiment(e.id);
    s.zoo = store.zoo();
    s.jobs = store.jobs();
    s.workers = store.workers();
    return s;
}

std::vector<double> SearchCurve::series(EpochSeries which) const
{
    // Indexed by EpochSeries.
    constexpr double darts::EpochMetrics::*kField[] = {
        &darts::EpochMetrics::valAcc, &darts::EpochMetrics::valLoss, &darts::EpochMetrics::trainAcc,
        &darts::EpochMetrics::trainLoss};
    const auto field = kField[int(which)];
    std::vector<double> out;
    out.reserve(epochs.size());
    for (const auto& e : epochs)
        out.push_back(e.*field);
    return out;
}

namespace {

bool sameCells(const store::ExperimentRecord& a, const store::ExperimentRecord& b)
{
    if (a.id != b.id || a.status != b.status || a.cells.size() != b.cells.size()) return false;
    for (std::size_t i = 0; i < a.cells.size(); ++i)
        if (a.cells[i].state != b.cells[i].state ||
            a.cells[i].searchRunId != b.cells[i].searchRunId)
            return false;
    return true;
}

} // namespace

bool WorkspaceSnapshot::sameListing(const WorkspaceSnapshot& other) const
{
    return std::equal(runs.begin(), runs.end(), other.runs.begin(), other.runs.end(),
                      [](const auto& a, const auto& b) { return listed(a) == listed(b); }) &&
           std::equal(experiments.begin(), experiments.end(), other.experiments.begin(),
                      other.experiments.end(), sameCells) &&
           zoo.size() == other.zoo.size() &&
           std::equal(jobs.begin(), jobs.end(), other.jobs.begin(), other.jobs.end(),
                      [](const auto& a, const auto& b) {
                          return std::tie(a.id, a.state, a.attempt, a.worker, a.progress) ==
                                 std::tie(b.id, b.state, b.attempt, b.worker, b.progress);
                      });
}

} // namespace wb::session
