#pragma once

// The `supernet:RUN_OR_CHECKPOINT` and `auto` embedders of the commands that compute dataset
// distances (distance, transfer, experiment): both are resolved against the workspace.

#include "wb/ot/distance.h"
#include "wb/store/run_store.h"

#include <string>

namespace wb::cli {

// Fills the supernet embedder's network (checkpoint, search config, input channels, classes;
// the image size when none was given) from its search run in `db`. Throws wb::Error naming the
// problem (no database, unknown run or checkpoint, not a search run).
void resolveSupernet(ot::EmbedderConfig& e, store::RunStore* db);

// "auto": "supernet:RUN" of the newest multi-dataset zoo supernet (the paper's setting once such
// a supernet exists: one feature space for every dataset; named on stderr), else "pixels". Any
// other text is returned as it is.
std::string autoEmbedder(const std::string& embed, store::RunStore* db);

} // namespace wb::cli
