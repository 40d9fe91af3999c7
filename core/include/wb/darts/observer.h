#pragma once

#include "wb/common/run_types.h"
#include "wb/darts/genotype.h"

#include <cstdint>
#include <string>
#include <vector>

namespace wb::darts {

// Metrics of one alpha step + weight step pair.
struct StepMetrics {
    int epoch = 0; // 1-based
    int step = 0;  // 1-based within the epoch
    int stepsPerEpoch = 0;
    double trainLoss = 0; // weight-step loss on the search-train batch
    double trainAcc = 0;
    double alphaLoss = 0; // alpha-step loss on the search-val batch (nan when not computed)
    double lr = 0;
    double seconds = 0; // wall time of the pair
};

struct EpochMetrics {
    int epoch = 0;
    double trainLoss = 0; // mean over the epoch's weight steps
    double trainAcc = 0;
    double valLoss = 0; // full pass over the validation split, BN in eval mode
    double valAcc = 0;
    double lr = 0;
    double seconds = 0;
};

// Collapse indicators of the DARTS family (skip_connect domination, parameter-free mass).
struct CollapseSignals {
    int skipNormal = 0; // skip_connect edges in the derived normal cell
    int skipReduce = 0;
    double paramFreeNormal = 0; // mean over edges of the softmax mass on pools + skip
    double paramFreeReduce = 0;
    double entropyNormal = 0; // mean over edges of the softmax entropy (nats; max ln(#ops))
    double entropyReduce = 0;
};

// Softmax architecture weights after an epoch, row-major edges x ops.
struct AlphaSnapshot {
    int epoch = 0;
    int edges = 0;
    std::vector<std::string> ops;
    std::vector<float> normal;
    std::vector<float> reduce;
    Genotype genotype;
    CollapseSignals signals;
};

// A checkpoint file written after an epoch (temporary file, flushed, renamed into place).
struct CheckpointInfo {
    int epoch = 0;
    std::string path;
    std::string sha256;
    double valAcc = 0;
    bool best = false;  // the best validation accuracy so far
    double seconds = 0; // time the training thread spent writing it (fsync included)
    std::int64_t bytes = 0;
};

// Callbacks on the job's own thread; implementations must be cheap and never block on I/O.
class RunObserver {
public:
    virtual ~RunObserver() = default;
    virtual void onDataset(const DatasetSummary&) {}
    virtual void onStep(const StepMetrics&) {}
    virtual void onEpoch(const EpochMetrics&) {}
    virtual void onAlphas(const AlphaSnapshot&) {}
    virtual void onIssue(const Issue&) {}
    virtual void onCheckpoint(const CheckpointInfo&) {}
};

} // namespace wb::darts
