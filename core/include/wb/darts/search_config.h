#pragma once

#include "wb/darts/genotype.h"
#include "wb/darts/process_group.h"
#include "wb/data/dataset.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wb::darts {

// Which images a job sees and how they are split.
struct DataConfig {
    std::string path;
    data::Format format = data::Format::Auto;
    int imageSize = 0;     // 0 = native size
    int imageChannels = 0; // 0 = native, 1 = grey (channel mean), 3 = RGB (grey replicated)
    int maxPerClass = 0;   // 0 = every image
    double trainFraction = 0.5;
    double valFraction = 0.25;
    // Seed of the split alone; none = the run's seed. Fixing it lets seeds differ only in
    // initialisation and batch order, as they do for a user with one dataset and one split.
    std::optional<std::uint64_t> splitSeed;
};

struct RuntimeConfig {
    std::uint64_t seed = 0;
    int threads = 0; // intra-op threads; 0 = one per core
    std::string device = "cpu";
    bool channelsLast = true; // NHWC tensors: oneDNN's fast path for depthwise convolutions on CPU
    // Mixed precision: "off", "bf16" or "fp16" (CUDA only; with a dynamic loss scale). Forward
    // passes under autocast; weights, optimiser states and the second-order alpha step stay
    // float32.
    std::string amp = "off";
    // Steps between reads of the step metrics from the device (0 = every step on the CPU, every
    // 10 on a GPU, where each read makes the host wait). Not stored: it changes no number.
    int metricsEvery = 0;
    // The processes of a data-parallel search (searches only). Where a process runs, not what
    // it computes, so it is not part of the stored configuration.
    ProcessGroupSpec group;
    // A data-parallel search whose ranks are threads of this process (the workbench's way; the
    // CLI's --nproc starts processes), each with `threads` intra-op threads. Not stored either.
    int localRanks = 1;
};

// Settings of the weight optimiser (SGD with momentum, cosine learning rate).
struct WeightOptConfig {
    double lr = 0.025;
    double lrMin = 0.001;
    double momentum = 0.9;
    double weightDecay = 3e-4;
    double gradClip = 5.0; // max global L2 norm of the weight gradient
};

// A supernet to start a search from (supernet transfer): its checkpoint and the network it
// holds. Weights, alphas and BN statistics are copied; the classifier head only when keepHead is
// set and the class counts match; optimisers and the learning-rate schedule start fresh.
struct WarmStart {
    std::string checkpoint;       // search checkpoint file (empty = no warm start)
    std::string sha256;           // expected checksum of the file (empty = not checked)
    std::string sourceConfigJson; // the source run's SearchConfig (its search space)
    int sourceInChannels = 0;
    int sourceClasses = 0; // classes of the source's (first) head
    bool keepHead = false;
    std::string label; // shown in messages, e.g. "zoo 3 (FSH)"
};

// A DARTS search job. Defaults follow the DARTS paper except the network size, which is the
// CPU-friendly "standard configuration" of the benchmark (C=8, 5 cells).
struct SearchConfig {
    DataConfig data;
    RuntimeConfig runtime;
    WeightOptConfig weights;
    int channels = 8;
    int layers = 5;
    int nodes = 4;
    std::vector<std::string> primitives; // empty = the 8 standard ones
    int batchSize = 64;
    int epochs = 10;
    int stepsPerEpoch = 0; // 0 = one pass over search-train
    // Data-parallel shards of every batch: batch / shards images each, passed through the
    // network separately (BatchNorm statistics per shard, as PyTorch DDP keeps them per rank),
    // gradients averaged. The ranks of a process group (runtime.group) split the shards, so the
    // numbers depend on the shard count alone: a run of 2 processes resumes in one.
    int shards = 1;
    // BatchNorm statistics over every shard of the batch (PyTorch's SyncBatchNorm) instead of per
    // shard: a process passes its shards through the network together and the ranks all-reduce
    // the statistics, so the numbers equal one process on the whole batch.
    bool syncBatchNorm = false;
    // darts (Liu et al. 2019), pc-darts (Xu et al. 2020: partial channels and edge
    // normalisation) or drnas (Chen et al. 2021: Dirichlet op weights with a KL regulariser).
    std::string variant = "darts";
    // PC-DARTS' K: each edge's ops see 1/K of the channels, the rest bypass them. 0 = the
    // variant's default (4 for pc-darts, 1 otherwise); darts needs 1.
    int partialChannels = 0;
    double klWeight = 1e-3; // drnas: weight of KL(Dir(c) || Dir(1)) in the alpha objective
    // Power-iteration steps for the dominant Hessian eigenvalue of the validation loss w.r.t.
    // the architecture, computed after every epoch on one validation batch (DARTS-ES); 0 = off.
    // Off by default: on small datasets it costs about as much as an epoch (10 steps: 5.6 s
    // against 5 s epochs of a 4-node search on 150 images).
    int hessianIterations = 0;
    // "collapse": stop when collapseStopReason (collapse.h) fires, from the second epoch on,
    // keeping the previous epoch's genotype (as DARTS-ES does); empty = never stop early.
    std::string stopOn;
    int order = 1; // 1 = first-order DARTS, 2 = second order (unrolled, finite differences)
    double alphaLr = 3e-4;
    // Small-budget searches: the Adam rate of alpha is raised to alphaStepBudget / (alpha steps
    // of the run) when that is larger than alphaLr (lr * steps bounds how far Adam moves an
    // alpha); 0 = alphaLr as given. At 3 a search of fewer than 10,000 architecture steps gets a
    // higher rate (DARTS on CIFAR-10 takes about 19,500 at 3e-4, which it leaves alone). On
    // Meta-Album-sized data (800 images, 70 steps) 3e-4 leaves every edge undecided;
    // tools/experiments/results/small_budget_defaults.md has the study behind the 3.
    double alphaStepBudget = 3;
    // Epochs of weight steps only before the architecture steps start (PC-DARTS: 15 of 50).
    int alphaWarmupEpochs = 0;
    // Beta-decay (beta-DARTS, Ye et al. 2022): alpha's objective gains w * (mean over the edges
    // of logsumexp(alpha_e)), which pulls each edge's largest weights back towards the others;
    // w rises linearly from 0 in the first epoch to betaDecay * (epochs - 1) / epochs in the
    // last (the reference: 0.5 per epoch over 50 epochs, i.e. 25). 0 = off. DARTS and PC-DARTS
    // (the softmax's alpha; not PC-DARTS' edge weights, not DrNAS' concentrations).
    double betaDecay = 0;
    double alphaBeta1 = 0.5;
    double alphaBeta2 = 0.999;
    double alphaWeightDecay = 1e-3;
    double unrolledLr = -1; // xi of the unrolled step; < 0 means "the current weight lr"
    // Validation with each batch's BN statistics (as NAS-Bench-201's search networks do) rather
    // than the running ones (the DARTS reference): with few steps per epoch the affine-free
    // running statistics lag the weights and eval-mode accuracy sits at chance.
    bool valBatchStats = true;
    std::string checkpointDir; // empty = no checkpoints; else one file per epoch, last + best kept
    // Multi-dataset pretraining: further datasets searched jointly with `data` (shared body and
    // alphas, one linear head per dataset, steps drawn round-robin across datasets).
    std::vector<DataConfig> moreData;
    WarmStart warmStart;

    // Throws wb::Error naming the first invalid field.
    void validate() const;
    std::vector<std::string> effectivePrimitives() const;
    int effectivePartialChannels() const;
    // Architecture steps of a run of `stepsPerEpoch` steps per epoch (warm-up epochs take none).
    std::int64_t architectureSteps(std::int64_t stepsPerEpoch) const;
    // The Adam rate of alpha for such a run (alphaStepBudget).
    double effectiveAlphaLr(std::int64_t stepsPerEpoch) const;
    std::string toJson() const;
    static SearchConfig fromJson(const std::string& json);
};

// The search variants, in the order help texts list them.
const std::vector<std::string>& searchVariants();

// Why a supernet searched with `source` (on images of sourceChannels) cannot warm-start a search
// with `target`, or nothing when the networks match: channels, layers, nodes, partial channels,
// the primitives in order and the input channels must be equal (the image size, the class count
// and the variant may differ).
std::optional<std::string> searchSpaceMismatch(const SearchConfig& source, int sourceChannels,
                                               const SearchConfig& target, int targetChannels);

// Trains a derived (discrete) network from scratch: the evaluation of a found cell.
struct TrainConfig {
    DataConfig data;
    RuntimeConfig runtime;
    WeightOptConfig weights;
    Genotype genotype;
    int channels = 16;
    int layers = 8;
    int batchSize = 64;
    int epochs = 10;
    // DARTS' retraining regularisers (Liu et al. 2019, CIFAR-10 evaluation: auxiliary weight 0.4,
    // drop-path 0.2, cutout 16 at 32x32), all off by default so short runs stay comparable.
    // auxiliaryWeight > 0 adds an auxiliary classifier after the cell at 2/3 depth, its loss
    // weighted by this; dropPath is the drop-path probability of the last epoch (ramped
    // linearly from 0); cutout is the side in pixels of the square zeroed in each training image.
    double auxiliaryWeight = 0;
    double dropPath = 0;
    int cutout = 0;
    std::string checkpointDir; // empty = no checkpoints; else one file per epoch, last + best kept

    void validate() const;
    std::string toJson() const;
    static TrainConfig fromJson(const std::string& json);
};

} // namespace wb::darts
