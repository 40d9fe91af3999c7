#pragma once

#include "wb/common/run_types.h"
#include "wb/darts/genotype.h"

#include <cstdint>
#include <limits>
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
    // Whether the search has decided: per chosen edge of the derived cell, the margin between
    // its two strongest ops (not `none`) in units of the uniform weight 1/#ops, averaged, and the
    // count of chosen edges below kUndecidedMargin (collapse.h).
    double marginNormal = 0;
    double marginReduce = 0;
    int undecidedNormal = 0;
    int undecidedReduce = 0;
    // DARTS-ES (Zela et al. 2020): the dominant eigenvalue of the Hessian of the validation loss
    // w.r.t. the architecture parameters, and the seconds it took; NaN when not computed.
    double hessianEigenvalue = std::numeric_limits<double>::quiet_NaN();
    double hessianSeconds = std::numeric_limits<double>::quiet_NaN();
};

// Architecture weights after an epoch: the expected op weights (softmax of alpha; DrNAS: the
// Dirichlet mean), row-major edges x ops, and with PC-DARTS' edge normalisation the weight of
// each edge within its node (softmax of beta; empty otherwise). The genotype is derived from
// their products.
struct AlphaSnapshot {
    int epoch = 0;
    int edges = 0;
    std::vector<std::string> ops;
    std::vector<float> normal;
    std::vector<float> reduce;
    std::vector<float> edgeNormal;
    std::vector<float> edgeReduce;
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

// A trained network measured once on the held-out test split, after its last epoch.
struct TestMetrics {
    double loss = 0;
    double acc = 0;
    std::int64_t parameters = 0; // trainable parameters of the network
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
    virtual void onTest(const TestMetrics&) {}
};

} // namespace wb::darts
