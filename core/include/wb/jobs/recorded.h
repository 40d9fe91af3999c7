#pragma once

// The jobs every front end runs (the CLI, the workbench, and later queue workers), each recorded
// in a workspace: a search (cold, or warm-started from a zoo source), a pretraining that adds its
// supernet to the zoo, and a training run. Each returns the job's result with its run id and
// any store error: the result stands even when its record is incomplete, and every caller
// reports both.

#include "wb/common/run_control.h"
#include "wb/darts/observer.h"
#include "wb/darts/search.h"
#include "wb/store/transfer_records.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace wb::jobs {

template <typename Result> struct Recorded {
    Result result;
    std::int64_t runId = 0;
    std::optional<std::string> storeError; // set when the record is incomplete
};

// Called once the run exists, before its first epoch (front ends show or remember the id).
using RunCreated = std::function<void(std::int64_t runId)>;

// A search recorded as run kind "search" (checkpoints in the run's folder). With `transfer`,
// the run is linked to the zoo entry it was warm-started from (config.warmStart already set;
// the record's runId is filled in), and the entry's checkpoint is made a file on this machine
// (on a server workspace, the database's copy when it was written elsewhere). `role` says what
// the search is for ("pretrain"; default: "transfer" with `transfer`, else a plain search).
// Throws wb::Error when the run cannot be created or the source's checkpoint is nowhere here;
// training failures are in the result.
Recorded<darts::SearchResult>
recordedSearch(const std::string& db, darts::SearchConfig config, RunControl& control,
               darts::RunObserver& observer, const RunCreated& created = {},
               std::optional<store::TransferRecord> transfer = std::nullopt,
               const std::string& role = {});

// A pretraining: a recorded search whose supernet joins the zoo as `zooName` (empty: the
// datasets' folder names joined by '+') when it finishes.
struct Pretrained {
    Recorded<darts::SearchResult> search;
    std::optional<std::int64_t> zooId; // set when the entry was added
    std::string zooError;              // why it was not, when the search finished
};
Pretrained recordedPretrain(const std::string& db, darts::SearchConfig config,
                            const std::string& zooName, RunControl& control,
                            darts::RunObserver& observer, const RunCreated& created = {});

// A training of a fixed genotype recorded as run kind "train" (checkpoints in the run's folder;
// the last one holds the final weights; the test result goes into the run's row).
Recorded<darts::TrainResult> recordedTrain(const std::string& db, darts::TrainConfig config,
                                           RunControl& control, darts::RunObserver& observer,
                                           const RunCreated& created = {});

} // namespace wb::jobs
