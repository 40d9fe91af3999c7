#pragma once

#include "wb/store/export.h"

#include <cstdint>
#include <string>

namespace wb::store {
class RunStore;
}

namespace wb::darts {

// A run's export folder (store::exportRun) plus, for a search with checkpoints, weights.pt
// written from its newest one (exportSearchWeights): what `supernet runs export` and the
// workbench's File > Export > Run bundle write. Throws wb::Error naming the file.
store::ExportResult exportRunBundle(store::RunStore& store, std::int64_t runId,
                                    const std::string& directory, bool force = false);

} // namespace wb::darts
