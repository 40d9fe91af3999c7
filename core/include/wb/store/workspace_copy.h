#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace wb::store {

// Rows copied per table, in copy order.
using CopyCounts = std::vector<std::pair<std::string, std::int64_t>>;

// Copies a whole workspace (runs, metrics, alphas, issues, checkpoint records, datasets,
// distances, zoo, transfers, experiments) between any two backends, ids unchanged, in one
// transaction on the destination. The source must be at this build's schema and is only read;
// the destination is created or migrated and must hold no rows. Files (checkpoints, caches) are
// referenced by path and stay where they are.
CopyCounts copyWorkspace(const std::string& from, const std::string& to);

} // namespace wb::store
