#pragma once

// One dataset distance through the workspace's cache: looked up by both fingerprints (in
// canonical order: the smaller one is the source) and every OT setting, computed and stored when
// missing. Shared by `supernet distance`, source ranking and the workbench's distance view.

#include "wb/common/run_control.h"
#include "wb/ot/distance.h"
#include "wb/store/run_store.h"

#include <optional>
#include <string>

namespace wb::transfer {

struct PairDistance {
    RunStatus status = RunStatus::Failed;
    std::string error;
    store::CachedDistance value;
    bool cached = false;
    std::optional<ot::DistanceResult> fresh; // the full result when it was computed now
    bool sourceIsA = true;                   // orientation of value.detailsJson
    std::string cacheWarning;                // the result could not be cached (store error)
};

// db may be null (no cache). Never throws for OT problems: they end in status/error.
PairDistance cachedDistance(const ot::DatasetRef& a, const ot::DatasetRef& b,
                            const ot::DistanceConfig& config, store::RunStore* db,
                            ot::EmbeddingCache* cache, RunControl& control,
                            ot::OtObserver& observer);

} // namespace wb::transfer
