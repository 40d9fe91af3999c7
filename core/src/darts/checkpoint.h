#pragma once

// Search checkpoints: everything needed to continue a search exactly where an epoch ended -
// supernet weights and BN statistics, alphas, both optimiser states, the epoch (which fixes the
// cosine learning rate), the batch samplers of every dataset, the torch RNG, and the epoch history.
// Written to a temporary file, flushed to disk, then renamed, so a crash never leaves a
// half-written file.

#include "darts/supernet.h"
#include "darts/tensor_data.h"
#include "wb/common/sha256.h"
#include "wb/darts/observer.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace wb::darts {

struct SearchState {
    Supernet& net;
    torch::optim::SGD& weightOpt;
    torch::optim::Adam& alphaOpt;
    std::vector<BatchSampler>& trainSamplers; // one per dataset (several when pretraining jointly)
    std::vector<BatchSampler>& valSamplers;
    int epoch = 0; // completed epochs
    std::vector<EpochMetrics> history;
};

// Writes atomically and returns the file's SHA-256. Throws wb::Error naming the file.
std::string saveCheckpoint(const std::string& path, const SearchState& state);

// Restores `state` in place (epoch and history included). Throws wb::Error naming the file when
// it cannot be read, is not a search checkpoint, or belongs to a different network.
void loadCheckpoint(const std::string& path, SearchState& state);

// Reads only the supernet (weights, BN statistics) and its architecture parameters into `net`,
// which must have the checkpoint's network. False when `net` has edge normalisation (PC-DARTS)
// and the file has no beta (a DARTS or DrNAS supernet): beta is then left as initialised.
// Throws wb::Error naming the file.
bool loadSupernetWeights(const std::string& path, Supernet& net);

} // namespace wb::darts
