#pragma once

// Search and training checkpoints: everything needed to continue a job exactly where an epoch
// ended - the network's weights and BN statistics (a search's alphas too), the optimiser states,
// the epoch (which fixes the cosine learning rate), the batch samplers, the torch RNG, and the
// epoch history. Written to a temporary file, flushed to disk, then renamed, so a crash never
// leaves a half-written file.

#include "darts/eval_network.h"
#include "darts/supernet.h"
#include "darts/tensor_data.h"
#include "wb/common/sha256.h"
#include "wb/darts/observer.h"

#include <torch/torch.h>

#include <functional>
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

struct TrainState {
    EvalNetwork& net;
    torch::optim::SGD& opt;
    BatchSampler& sampler;
    int epoch = 0; // completed epochs
    std::vector<EpochMetrics> history;
    data::ChannelStats input; // the input normalisation, kept for the model export
};

std::string saveTrainCheckpoint(const std::string& path, const TrainState& state);
void loadTrainCheckpoint(const std::string& path, TrainState& state);
// Reads only the trained network's weights and BN statistics, and its input normalisation (an
// export).
data::ChannelStats loadTrainedWeights(const std::string& path, EvalNetwork& net);

// Writes the checkpoint of completed epoch history.back() as DIR/epoch-NNNN.pt through
// save(path) -> SHA-256, and describes it (best: the best validation accuracy so far).
CheckpointInfo writeEpochCheckpoint(const std::string& dir,
                                    const std::vector<EpochMetrics>& history,
                                    const std::function<std::string(const std::string&)>& save);

// Restores from the first usable checkpoint of `from` (newest first): load(path) returns the
// epoch it restored. A missing, corrupt or unreadable file is reported as a warning and the next
// is tried; the one used is reported as info. Throws wb::Error when none can be used.
void restoreFirstUsable(const std::vector<CheckpointInfo>& from,
                        const std::function<int(const std::string&)>& load,
                        const std::function<void(const Issue&)>& report);

} // namespace wb::darts
