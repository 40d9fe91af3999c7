#pragma once

#include "wb/store/export.h"

#include <cstdint>
#include <string>

namespace wb::store {
class RunStore;
}

namespace wb::darts {

// A run's export folder (store::exportRun) plus the network: model.py (model_export.h) for any
// run with a genotype and a recorded dataset; for a training with checkpoints its final weights
// (weights.pt, example_input.pt, example_logits.pt); for a search with checkpoints weights.pt
// from its newest one (exportSearchWeights: the supernet). What `supernet runs export` and the
// workbench's File > Export > Run bundle write. Throws wb::Error naming the file.
store::ExportResult exportRunBundle(store::RunStore& store, std::int64_t runId,
                                    const std::string& directory, bool force = false);

} // namespace wb::darts
