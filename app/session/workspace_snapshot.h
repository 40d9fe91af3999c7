#pragma once

#include "wb/darts/genotype.h"
#include "wb/darts/observer.h"
#include "wb/store/run_store.h"
#include "wb/store/transfer_records.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace wb::session {

// An epoch metric the Compare page overlays.
enum class EpochSeries { ValAcc, ValLoss, TrainAcc, TrainLoss };

// What the Compare page needs of one search or training: its per-epoch metrics, seed, final
// genotype and warm-start source.
struct SearchCurve {
    store::RunSummary summary;
    std::uint64_t seed = 0;
    std::optional<store::TransferRecord> transfer;
    std::vector<darts::EpochMetrics> epochs; // in epoch order
    std::optional<darts::Genotype> genotype;
    int valImages = 0; // the validation split's size (0: not recorded)

    std::vector<double> series(EpochSeries which) const; // one value per recorded epoch
};

// Everything the workbench lists of a workspace (runs table, Compare page, zoo for the new-search
// dialog), read in one go. A plain value: the workbench reads it on a worker thread through its
// own connection and hands it to the GUI thread.
struct WorkspaceSnapshot {
    std::vector<store::RunSummary> runs;
    std::map<std::int64_t, std::string> sources;      // warm-started run id -> zoo entry name
    std::vector<store::ExperimentRecord> experiments; // with their cells
    std::map<std::int64_t, SearchCurve> searches;     // searches and trainings with an epoch
    std::vector<store::ZooEntry> zoo;
    std::vector<store::JobRecord> jobs; // the queue (Queue page)
    std::vector<store::WorkerRecord> workers;

    // Throws wb::Error like the store. With `previous` (an earlier snapshot of the same
    // workspace), runs whose listed row is unchanged keep what was read of them: a periodic
    // re-listing then costs one query per changed run, not several per run.
    static WorkspaceSnapshot read(store::RunStore& store,
                                  const WorkspaceSnapshot* previous = nullptr);
    // Same runs (id, status, epochs, best val acc, time), experiments (id, status, cell
    // states) and jobs (state, attempt, worker, progress) as `other`: what a periodic re-listing
    // uses to leave an unchanged table alone.
    bool sameListing(const WorkspaceSnapshot& other) const;
};

} // namespace wb::session
