#pragma once

// The OTDD settings of the jobs that compute dataset distances (distance matrix, source ranking,
// experiment) as a user gives them: the embedder and inner method by name, resolved against the
// workspace when used.

#include "wb/ot/distance.h"
#include "wb/store/run_store.h"

#include <string>

namespace wb::transfer {

struct DistanceSettings {
    std::string embed = "pixels"; // pixels | torchscript:FILE | supernet:RUN_OR_CHECKPOINT | auto
    std::string inner = "exact";  // exact | gaussian
    ot::DistanceConfig config;    // the numeric settings and the embedder's input flags (size, ...)

    // The settings with `auto` and `supernet:` embedders resolved in `db` (null: no workspace,
    // so `auto` means pixels and `supernet:` is refused) and the thread count filled in; throws
    // wb::Error on a bad value. `note` receives what `auto` chose, if anything.
    ot::DistanceConfig resolve(store::RunStore* db, std::string* note = nullptr) const;
};

} // namespace wb::transfer
