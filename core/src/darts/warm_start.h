#pragma once

// Supernet transfer (Singh & Vanschoren 2024): a target supernet starts from a pretrained one.

#include "darts/supernet.h"
#include "wb/darts/search_config.h"

#include <string>

namespace wb::darts {

struct WarmStartReport {
    int tensorsCopied = 0; // weights, BN buffers and the two alpha matrices
    bool headCopied = false;
    std::string message; // one line for the run's issues
};

// Copies the source supernet of `warm` into `target` (built for the target's data): every
// weight and BN buffer outside the classifier heads, and both alphas. The first head is copied
// only when warm.keepHead is set and the class counts match; otherwise it keeps its fresh
// initialisation. Throws wb::Error naming the checkpoint when it is missing, fails its checksum,
// cannot be read, or the search spaces differ (see searchSpaceMismatch).
WarmStartReport applyWarmStart(const WarmStart& warm, const SearchConfig& target,
                               Supernet& targetNet);

} // namespace wb::darts
