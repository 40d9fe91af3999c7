#pragma once

#include <cstdint>
#include <vector>

namespace wb::data {

struct Dataset;

struct SplitFractions {
    double train = 0.5;  // search-train: network weights
    double val = 0.25;   // search-val: architecture weights alpha
    // test gets the rest
};

// Indices into a Dataset, stratified per class.
struct Split {
    std::vector<int> train;
    std::vector<int> val;
    std::vector<int> test;
};

// Seeded stratified split: within each class the images are shuffled with the seed, capped at
// maxPerClass (0 = no cap), then cut by the fractions, every part getting at least one image.
// Throws wb::Error naming the class when it has fewer than 3 images.
// Deterministic: the same dataset, fractions, cap and seed give the same split on any machine.
Split stratifiedSplit(const Dataset& dataset, const SplitFractions& fractions, int maxPerClass,
                      std::uint64_t seed);

// Per-channel mean and standard deviation of pixel values scaled to [0,1], over the given images.
struct ChannelStats {
    std::vector<float> mean;
    std::vector<float> std;
};
ChannelStats channelStats(const Dataset& dataset, const std::vector<int>& indices);

} // namespace wb::data
