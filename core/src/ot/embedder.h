#pragma once

// The feature maps phi of the dataset distance. An embedder turns selected images of a dataset
// into float32 rows; it holds its model (if any) and is used by one thread.

#include "wb/data/dataset.h"
#include "wb/ot/distance.h"

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace wb::ot {

class Embedder {
public:
    virtual ~Embedder() = default;
    // Identity of the features (EmbedderConfig::key()): part of every cache key.
    virtual std::string key() const = 0;
    // False when recomputing is cheaper than a cache file (pixels).
    virtual bool worthCaching() const { return true; }
    // Rows (indices.size() x D, float32) in the order of `indices`. progress(fraction) returns
    // false to abandon, and then embed returns an undefined tensor.
    virtual torch::Tensor embed(const data::Dataset& dataset,
                                const std::vector<std::int64_t>& indices,
                                const std::function<bool(double)>& progress) = 0;
};

// Loads the model, if any (fills config.modelSha256), onto `device`, where it will run; the
// rows come back to the CPU. Throws wb::Error naming the file.
std::unique_ptr<Embedder> makeEmbedder(EmbedderConfig config, torch::Device device = torch::kCPU);

// Images indices[begin, end) as float N x C x S x S: pixel values scaled to [0, range], converted
// to `channels` (0 = native), resized to `size` (0 = native; bilinear with antialiasing), then
// (x - mean) / std per channel when given.
torch::Tensor imageBatch(const data::Dataset& dataset, const std::vector<std::int64_t>& indices,
                         std::size_t begin, std::size_t end, const EmbedderConfig& config);

std::unique_ptr<Embedder> makePixelEmbedder(const EmbedderConfig& config);
std::unique_ptr<Embedder> makeTorchScriptEmbedder(const EmbedderConfig& config,
                                                  torch::Device device);
std::unique_ptr<Embedder> makeSupernetEmbedder(const EmbedderConfig& config, torch::Device device);

// Rows of `indices`, from the cache when present (computing and adding the missing ones), keyed
// by the dataset's fingerprint and the embedder's key. Returns an undefined tensor when abandoned.
torch::Tensor embedWithCache(EmbeddingCache* cache, Embedder& embedder,
                             const data::Dataset& dataset, const std::string& fingerprint,
                             const std::vector<std::int64_t>& indices,
                             const std::function<bool(double)>& progress);

} // namespace wb::ot
