#pragma once

#include "wb/darts/search_config.h"
#include "wb/store/run_store.h"

#include <string>

namespace wb::jobs {

// The zoo entry of a finished search run: its last checkpoint and the dataset(s) it searched,
// named `name` (default: the folder names joined by '+'). Throws wb::Error when the run is not
// a finished search with a checkpoint.
store::ZooEntry zooEntryForRun(store::RunStore& db, std::int64_t runId, std::string name);

// Throws wb::Error when `name` is taken by an entry of db's zoo.
void requireFreeZooName(store::RunStore& db, const std::string& name);

// The zoo name a pretraining of `config` gets without --name: its datasets' folder names joined
// by '+'.
std::string defaultZooName(const darts::SearchConfig& config);

// "FSH" for /data/suite/FSH/ (a dataset's short label in tables).
std::string folderName(const std::string& path);

} // namespace wb::jobs
