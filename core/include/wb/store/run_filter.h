#pragma once

// Which runs `runs list` shows and in what order: a filter over the summaries of a workspace.

#include "wb/store/run_store.h"

#include <optional>
#include <string>
#include <vector>

namespace wb::store {

enum class RunOrder { Id, Started, BestVal, TestAcc, Seconds };

struct RunFilter {
    std::string role{};    // search, pretrain, transfer or train (RunSummary::role); empty = all
    std::string status{};  // as shown (statusName with the stop reason: "stopped"); empty = all
    std::string dataset{}; // a substring of the dataset path, or a fingerprint prefix
    std::string tag{};
    RunOrder order = RunOrder::Id;
    bool reverse = false;
    int limit = 0; // > 0: the `limit` newest runs (by id), or the first `limit` of another order
};

// "id", "started", "val" (best validation accuracy), "test" (test accuracy) or "seconds";
// throws wb::Error listing the choices.
RunOrder parseRunOrder(const std::string& name);
// Throw wb::Error listing the choices.
void requireKnownRole(const std::string& role);
void requireKnownStatus(const std::string& status);

// The runs that pass, ordered: by id ascending; by start time ascending; the accuracies and
// seconds best or longest first (runs without the value last). `reverse` flips the order.
std::vector<RunSummary> filterRuns(std::vector<RunSummary> runs, const RunFilter& filter);

} // namespace wb::store
