#pragma once

#include "wb/store/run_store.h"

#include <string>

namespace wb::jobs {

// The zoo entry of a finished search run: its last checkpoint and the dataset(s) it searched,
// named `name` (default: the folder names joined by '+'). Throws wb::Error when the run is not
// a finished search with a checkpoint.
store::ZooEntry zooEntryForRun(store::RunStore& db, std::int64_t runId, std::string name);

// Throws wb::Error when `name` is taken by an entry of db's zoo.
void requireFreeZooName(store::RunStore& db, const std::string& name);

// "FSH" for /data/suite/FSH/ (a dataset's short label in tables).
std::string folderName(const std::string& path);

} // namespace wb::jobs
