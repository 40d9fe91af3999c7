#pragma once

// The paired experiment (`supernet experiment`): per target and seed, a search from scratch and
// warm-started ones (ot, random, multi), each arm's genotype retrained from scratch, grouped in
// the store as cells that any front end can run, resume and report.

#include "wb/common/run_control.h"
#include "wb/darts/observer.h"
#include "wb/darts/search_config.h"
#include "wb/store/run_store.h"
#include "wb/transfer/distance_settings.h"
#include "wb/transfer/experiment_report.h"
#include "wb/transfer/source_selection.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace wb::jobs {

// scratch, ot, random, multi: the default arms. `each-source` may be asked for too: one arm
// "source:ID" per compatible single-dataset zoo entry (expandArms).
const std::vector<std::string>& experimentArms();

// What an experiment asks for; stored as JSON with the experiment so that it can be resumed
// anywhere.
struct ExperimentSpec {
    std::vector<std::string> targets;
    std::vector<std::string> arms = experimentArms();
    std::vector<std::uint64_t> seeds = {0, 1, 2};
    int retrainEpochs = 10;
    int retrainChannels = 16;
    int retrainLayers = 8;
    std::int64_t multi = 0;     // zoo id of the multi arm; 0 = the newest multi-dataset entry
    darts::SearchConfig search; // data.path is set per target
    transfer::DistanceSettings distance;

    std::string toJson() const;
    // Throws wb::Error naming the field that is missing or of the wrong type.
    static ExperimentSpec fromJson(const std::string& json);
    // Checks the values and that every target exists, before any work. Throws wb::Error.
    void validate() const;
    // What makes two invocations the same experiment: the spec without the thread count (a
    // resumed experiment may use another share of the machine).
    std::string identity() const;
};

// The arms of `spec` for `target` (a path on this machine) with `each-source` replaced by
// "source:ID" for every single-dataset entry of db's zoo whose network matches the spec's search
// (channels, cells, nodes, partial channels, operations) and that was not pretrained on the target
// itself, in zoo order: so one zoo over a suite serves a leave-one-out study, each dataset in turn
// the target. The image channels are checked when the cell runs.
std::vector<std::string> expandArms(const ExperimentSpec& spec, store::RunStore& db,
                                    const std::string& target);

// The experiment of `db` with the same identity that is not done, or a new one whose tables go to
// `outDir` (empty: experiments/experiment-ID in the workspace's artifacts folder).
struct OpenedExperiment {
    std::int64_t id = 0;
    bool resumed = false;
};
OpenedExperiment openExperiment(const std::string& db, const ExperimentSpec& spec,
                                const std::string& outDir);
// Always a new experiment (`experiment --queue`), its tables in `outDir` as above.
std::int64_t createExperiment(const std::string& db, const ExperimentSpec& spec,
                              const std::string& outDir);

// What the front end sees of a running experiment.
class ExperimentObserver {
public:
    virtual ~ExperimentObserver() = default;
    virtual void onCellStarted(const store::ExperimentCell& cell) { (void)cell; }
    // A cell's state, runs or results changed (already stored).
    virtual void onCellChanged(const store::ExperimentCell& cell) { (void)cell; }
    virtual void onSourceChosen(const transfer::SourceChoice& choice, const std::string& note)
    {
        (void)choice;
        (void)note;
    }
    // The observer of the cell's next job ("search" or "train", `epochs` long); it stays valid
    // until the next call.
    virtual darts::RunObserver& jobObserver(const std::string& kind, int epochs) = 0;
    // A job's record is incomplete (the job's result stands).
    virtual void onStoreError(const std::string& message) { (void)message; }
};

struct ExperimentOptions {
    // A cell whose interrupted search cannot continue (epochs recorded, no usable checkpoint)
    // fails with that reason, unless this asks to search it again from the start in a new run
    // (cells that failed so in an earlier invocation included).
    bool restartUnresumable = false;
    // A queue worker: a cell's search still marked running belongs to a worker that was fenced
    // out, so it is taken over (resumed) instead of refused.
    bool takeOverRunning = false;
    // Where a stored target path is on this machine (a queue worker's data roots); empty: as
    // stored. Throws wb::Error when the dataset cannot be used here.
    std::function<std::string(const std::string& target)> resolveTarget;
};

struct ExperimentOutcome {
    bool stopped = false; // a stop request ended it before every cell ran
    std::vector<store::ExperimentCell> done;
    std::vector<store::ExperimentCell> failed;
};

// Runs every cell of experiment `id` that is not done or failed yet, in spec order; resumes
// interrupted cells. Stores each state change, then the experiment's status (done, failed when
// every cell failed, cancelled when stopped).
ExperimentOutcome runExperiment(const std::string& db, std::int64_t id, const ExperimentSpec& spec,
                                const ExperimentOptions& options, RunControl& control,
                                ExperimentObserver& observer);

// Runs one cell (target x seed x arm) of experiment `id` as runExperiment would (a queue job).
// Returns the cell as stored at the end; `stopped` tells a stop request interrupted it.
store::ExperimentCell runExperimentCell(const std::string& db, std::int64_t id,
                                        const ExperimentSpec& spec, const std::string& target,
                                        std::uint64_t seed, const std::string& arm,
                                        const ExperimentOptions& options, RunControl& control,
                                        ExperimentObserver& observer, bool* stopped = nullptr);

// A stored cell as the tables and the workbench's Compare view read it (target = the dataset's
// folder name; a cell not done counts as failed, with its state as the reason when it has no
// error), given its search's validation accuracy per epoch.
transfer::ArmOutcome cellOutcome(const store::ExperimentCell& cell, std::vector<double> valCurve);

// cellOutcome() of every stored cell, curves read from `db`.
std::vector<transfer::ArmOutcome> experimentOutcomes(store::RunStore& db,
                                                     const store::ExperimentRecord& experiment);

// Writes results.md, results.csv and results.json into `outDir` (empty: the experiment's
// folder), each file atomically, and returns the summary rows. Throws wb::Error naming a file it
// cannot write.
std::vector<transfer::ArmSummary> writeExperimentReport(store::RunStore& db, std::int64_t id,
                                                        const std::string& outDir = {});

} // namespace wb::jobs
