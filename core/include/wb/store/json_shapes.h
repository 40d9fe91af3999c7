#pragma once

// One JSON shape per object, shared by every command's --json (and the queue's): a run, an
// epoch, an issue, a dataset, an experiment cell. Each object shape carries `schema_version`
// where it is a top-level object; readers should check it. Non-finite numbers become null.
//
// Version 1 renamed two ambiguous fields and keeps the old names as aliases for one release:
// a run's `epochs` was a count in `runs list/show` and a list in `search/train --json`; the
// count is now `epoch_count` and the list `epoch_metrics` everywhere. A dataset's `classes`
// (in search/train --json) is now `class_names`.

#include "wb/darts/observer.h"
#include "wb/store/run_store.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace wb::store {

inline constexpr int kJsonSchemaVersion = 1;

nlohmann::json numberOrNull(double value);
nlohmann::json epochJson(const darts::EpochMetrics& e);
nlohmann::json epochsJson(const std::vector<darts::EpochMetrics>& epochs);
nlohmann::json issueJson(const Issue& issue);
nlohmann::json issuesJson(const std::vector<Issue>& issues);
nlohmann::json datasetJson(const DatasetSummary& d);

// A run as listed: id, kind, status, dataset, epoch_count, best_val_acc, times (schema_version,
// and the `epochs` count alias).
nlohmann::json runSummaryJson(const RunSummary& r);

// An experiment cell: target, seed, arm, state, its runs and results.
nlohmann::json cellJson(const ExperimentCell& c);

} // namespace wb::store
