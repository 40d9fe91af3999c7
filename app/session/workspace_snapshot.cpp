#include "workspace_snapshot.h"

#include <algorithm>
#include <tuple>

namespace wb::session {

WorkspaceSnapshot WorkspaceSnapshot::read(store::RunStore& store)
{
    WorkspaceSnapshot s;
    s.runs = store.listRuns();
    for (const auto& r : s.runs) {
        auto transfer = store.transfer(r.id);
        if (transfer) s.sources[r.id] = transfer->zooName;
        if (r.kind != "search" || r.epochs == 0) continue;
        SearchCurve c;
        c.summary = r;
        const auto details = store.run(r.id);
        c.seed = details.seed;
        c.genotype = details.genotype;
        c.transfer = std::move(transfer);
        c.epochs = store.epochs(r.id);
        s.searches[r.id] = std::move(c);
    }
    s.experiments = store.experiments();
    for (auto& e : s.experiments)
        e = store.experiment(e.id);
    s.zoo = store.zoo();
    return s;
}

std::vector<double> SearchCurve::series(EpochSeries which) const
{
    std::vector<double> out;
    out.reserve(epochs.size());
    for (const auto& e : epochs)
        switch (which) {
        case EpochSeries::ValAcc: out.push_back(e.valAcc); break;
        case EpochSeries::ValLoss: out.push_back(e.valLoss); break;
        case EpochSeries::TrainAcc: out.push_back(e.trainAcc); break;
        case EpochSeries::TrainLoss: out.push_back(e.trainLoss); break;
        }
    return out;
}

namespace {

auto listed(const store::RunSummary& r)
{
    return std::tie(r.id, r.status, r.epochs, r.bestValAcc, r.seconds, r.finishedAt);
}

bool sameCells(const store::ExperimentRecord& a, const store::ExperimentRecord& b)
{
    if (a.id != b.id || a.status != b.status || a.cells.size() != b.cells.size()) return false;
    for (std::size_t i = 0; i < a.cells.size(); ++i)
        if (a.cells[i].status != b.cells[i].status ||
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
           zoo.size() == other.zoo.size();
}

} // namespace wb::session
