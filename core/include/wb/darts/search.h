#pragma once

#include "wb/common/run_control.h"
#include "wb/darts/observer.h"
#include "wb/darts/search_config.h"

#include <string>
#include <vector>

namespace wb::darts {

struct SearchResult {
    RunStatus status = RunStatus::Failed;
    std::string error; // set when status == Failed
    SearchConfig config;
    DatasetSummary dataset;
    std::vector<DatasetSummary> moreDatasets; // multi-dataset pretraining: heads 1, 2, ...
    std::vector<EpochMetrics> epochs;
    AlphaSnapshot alphas; // after the last completed epoch
    Genotype genotype;
    std::vector<Issue> issues;
    // Set when --stop-on ended the search early (status Done, shown as "stopped"): why, and
    // which epoch's genotype it kept.
    std::string stopReason;
};

// Runs a DARTS search synchronously on the calling thread. Never throws: expected failures and
// library exceptions end as status Failed with a message naming the file or field. With
// config.runtime.localRanks > 1 the other ranks run on threads of their own (at least one shard
// each) and only this thread's observer hears of the run.
SearchResult runSearch(const SearchConfig& config, RunControl& control, RunObserver& observer);

// Runs rank `spec.rank` > 0 of a data-parallel search whose rank 0 runs runSearch or resumeSearch
// with config.runtime.group set: the configuration and the starting state come from rank 0, the
// threads and device from `local` (this rank's own command line), and this rank records nothing
// (its result only says how it ended). Never throws.
SearchResult runSearchRank(const ProcessGroupSpec& spec, const RuntimeConfig& local,
                           RunControl& control, RunObserver& observer);

struct TrainResult {
    RunStatus status = RunStatus::Failed;
    std::string error;
    TrainConfig config;
    DatasetSummary dataset;
    std::vector<EpochMetrics> epochs; // val = the search-val split
    double testLoss = 0;
    double testAcc = 0; // on the held-out test split, measured once after the last epoch
    std::int64_t parameters = 0;
    std::vector<Issue> issues;
};

// Continues a search from the first usable checkpoint of `checkpoints` (newest first): a file
// that is missing, fails its checksum or cannot be read is reported as an issue and the next is
// tried. At one thread on CPU the resumed epochs reproduce those of an uninterrupted run. A run
// stopped before its first checkpoint starts again from the beginning.
SearchResult resumeSearch(const SearchConfig& config,
                          const std::vector<CheckpointInfo>& checkpoints, RunControl& control,
                          RunObserver& observer);

// Trains config.genotype's network from scratch; with config.checkpointDir, writes a checkpoint
// after every epoch. The test split is measured once, after the last epoch (a stopped training
// has no test result: it can be resumed). Never throws, like runSearch.
TrainResult runTrain(const TrainConfig& config, RunControl& control, RunObserver& observer);

// Continues a training from the first usable of `checkpoints` (newest first), as resumeSearch.
TrainResult resumeTrain(const TrainConfig& config, const std::vector<CheckpointInfo>& checkpoints,
                        RunControl& control, RunObserver& observer);

} // namespace wb::darts
