#pragma once

// Turns a loaded dataset into normalised float tensors per split, and draws seeded batches.

#include "darts/architect.h"
#include "wb/darts/search.h"
#include "wb/darts/search_config.h"
#include "wb/data/split.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace wb::darts {

struct TensorSplit {
    torch::Tensor x; // float N x C x H x W, normalised with the search-train statistics
    torch::Tensor y; // int64 N
    std::int64_t size() const { return y.defined() ? y.size(0) : 0; }
};

struct PreparedData {
    TensorSplit train;
    TensorSplit val;
    TensorSplit test;
    DatasetSummary summary;
    data::ChannelStats stats; // per-channel mean and sd of search-train in [0, 1], used above
    int classes = 0;
    std::vector<std::string> warnings;
};

// Loads config.path, splits it per class with the seed and normalises every split with the
// per-channel statistics of the search-train part. Throws wb::Error on bad input.
PreparedData prepareData(const DataConfig& config, std::uint64_t seed);

// Draws batches of a split in a seeded random order, reshuffling at each pass. Batches are full
// (the ragged tail of a pass is dropped: a batch of one would break BatchNorm) unless the split
// is smaller than the batch, in which case the batch is the whole split.
class BatchSampler {
public:
    BatchSampler(std::int64_t size, int batch, std::uint64_t seed);
    std::int64_t batchesPerPass() const { return m_size / m_batch; }
    torch::Tensor next(); // int64 indices
    // The exact position in the stream (generator, order, cursor), for checkpoints.
    std::string state() const;
    void restore(const std::string& state); // throws wb::Error on a malformed state

private:
    void reshuffle();
    std::int64_t m_size;
    std::int64_t m_batch;
    std::mt19937_64 m_rng;
    std::vector<std::int64_t> m_order;
    std::int64_t m_pos = 0;
};

// Fewest channels a convolution may have for channels_last on the CPU. LibTorch 1.13's oneDNN
// convolution backward writes out of bounds for NHWC tensors of 1 to 3 channels (heap corruption
// in the weight step, issue 14), so such networks must keep the contiguous NCHW layout ...
inline constexpr int kSafeChannelsLastChannels = 4;
// ... and below 8 NCHW is also faster (`bench search`, one thread, batch 64, 28x28, 5 cells:
// C=4 2.84 s per iteration in NCHW vs 3.66 s in channels_last; C=8 5.66 s vs 4.26 s).
inline constexpr int kMinChannelsLastChannels = 8;

// Where tensors live and how they are laid out; fixed for a run.
struct Placement {
    torch::Device device = torch::kCPU;
    bool channelsLast = true;
    // Why channels_last was asked for but not used; empty when the layout is as asked.
    std::string layoutNote;
    std::optional<torch::Dtype> amp; // the autocast dtype; none = float32
    int metricsEvery = 1;            // steps between reads of the step metrics
};
// Throws wb::Error for a device this build or machine does not have (checkedDevice).
// smallestConvChannels: the fewest channels of any convolution in the network (C for DARTS,
// C / k for a partial-channel edge).
Placement makePlacement(const RuntimeConfig& runtime, int smallestConvChannels);
// The mixed precision of a run placed so; `scaler` serves float16 (and must outlive the result).
MixedPrecision precisionOf(const Placement& placement, LossScaler& scaler);

Batch gather(const TensorSplit& split, const torch::Tensor& indices, const Placement& placement);

// This rank's shards of the batch `indices` cut into `shards` equal parts (as equal as the
// batch allows), which the `ranks` processes take in order, shards / ranks each.
Shards gatherShards(const TensorSplit& split, const torch::Tensor& indices,
                    const Placement& placement, int shards, int rank, int ranks);
// What a rank of `group` computes of a search step's batch: its config.shards shards, or with
// synchronised BatchNorm (whose statistics span the batch anyway) all of them in one pass.
Shards stepShards(const SearchConfig& config, const TensorSplit& split,
                  const torch::Tensor& indices, const Placement& placement,
                  const RankGroup& group);

struct EvalMetrics {
    double loss = 0;
    double acc = 0;
};
enum class BatchNormMode {
    Running, // eval mode: the running statistics
    Batch,   // each evaluation batch's own statistics (running statistics are left untouched)
};
// Mean cross-entropy and accuracy over a whole split, without gradients, visiting its rows in
// `order` (undefined: as stored).
EvalMetrics evaluate(torch::nn::Module& net,
                     const std::function<torch::Tensor(const torch::Tensor&)>& forward,
                     const TensorSplit& split, const Placement& placement,
                     BatchNormMode bn = BatchNormMode::Running, int batch = 256,
                     const torch::Tensor& order = {});

// A seeded permutation of `rows` rows. The stratified splits are stored class by class, so
// evaluation batches taken in stored order hold one or two classes each, and with batch
// statistics every batch would be normalised by its own classes' mean: validation visits the
// split in this order instead, each batch a mix of the classes as a training batch is.
torch::Tensor mixedOrder(std::int64_t rows, std::uint64_t seed);

// Cosine annealing from lr to lrMin over `epochs` (epoch is 0-based), as CosineAnnealingLR.
double cosineLr(double lr, double lrMin, int epoch, int epochs);
void setLearningRate(torch::optim::SGD& opt, double lr);

} // namespace wb::darts
