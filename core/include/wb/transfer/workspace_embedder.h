#pragma once

// The `supernet:RUN_OR_CHECKPOINT` and `auto` embedders of the jobs that compute dataset
// distances (distance matrix, source ranking, experiment): both are resolved against the
// workspace.

#include "wb/ot/distance.h"
#include "wb/store/run_store.h"

#include <memory>
#include <string>

namespace wb::transfer {

// The embedding cache of workspace `db`: its artifacts folder's embeddings/, and on a server
// workspace also the database, so workers on other machines reuse each other's embeddings. Null
// `db`: in memory only. `db` must outlive the cache and stay on its thread.
std::unique_ptr<ot::EmbeddingCache> workspaceEmbeddingCache(store::RunStore* db);

// Fills the supernet embedder's network (checkpoint, search config, input channels, classes;
// the image size when none was given) from its search run in `db`. Throws wb::Error naming the
// problem (no database, unknown run or checkpoint, not a search run).
void resolveSupernet(ot::EmbedderConfig& e, store::RunStore* db);

// "auto": "supernet:RUN" of the newest multi-dataset zoo supernet (the paper's setting once such
// a supernet exists: one feature space for every dataset), else "pixels". Any other text is
// returned as it is. `note`, when given, receives the line that names the supernet chosen.
std::string autoEmbedder(const std::string& embed, store::RunStore* db,
                         std::string* note = nullptr);

} // namespace wb::transfer
