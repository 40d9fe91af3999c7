#include "wb/data/split.h"

#include "wb/common/error.h"
#include "wb/common/seeded_rng.h"
#include "wb/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace wb::data {

namespace {

} // namespace

Split stratifiedSplit(const Dataset& dataset, const SplitFractions& fractions, int maxPerClass,
                      std::uint64_t seed)
{
    if (!(fractions.train > 0 && fractions.val > 0 && fractions.train + fractions.val <= 1)) {
        throw Error("split fractions must be positive with train + val <= 1, got train " +
                    std::to_string(fractions.train) + ", val " + std::to_string(fractions.val));
    }
    if (maxPerClass < 0 || maxPerClass == 1 || maxPerClass == 2) {
        throw Error("images per class must be 0 (no cap) or at least 3, got " +
                    std::to_string(maxPerClass));
    }

    std::vector<std::vector<int>> perClass(dataset.classNames.size());
    for (std::size_t i = 0; i < dataset.labels.size(); ++i) {
        const int label = dataset.labels[i];
        if (label < 0 || std::size_t(label) >= perClass.size())
            throw Error(dataset.path + ": image " + std::to_string(i) + " has label " +
                        std::to_string(label) + " outside the class list");
        perClass[label].push_back(int(i));
    }

    Split split;
    for (std::size_t c = 0; c < perClass.size(); ++c) {
        std::vector<int>& indices = perClass[c];
        if (indices.size() < 3) {
            throw Error(dataset.path + ": class '" + dataset.classNames[c] + "' has " +
                        std::to_string(indices.size()) +
                        " images; a split needs at least 3 per class");
        }
        std::mt19937_64 rng(splitMix64(seed ^ splitMix64(c)));
        shuffle(indices, rng);
        if (maxPerClass > 0 && indices.size() > std::size_t(maxPerClass))
            indices.resize(std::size_t(maxPerClass));

        const long n = long(indices.size());
        long train = std::max(1L, std::lround(double(n) * fractions.train));
        long val = std::max(1L, std::lround(double(n) * fractions.val));
        // Rounding up both parts can leave test empty; take the missing images from the larger.
        while (train + val > n - 1) {
            if (train >= val && train > 1)
                --train;
            else
                --val;
        }
        split.train.insert(split.train.end(), indices.begin(), indices.begin() + train);
        split.val.insert(split.val.end(), indices.begin() + train, indices.begin() + train + val);
        split.test.insert(split.test.end(), indices.begin() + train + val, indices.end());
    }
    return split;
}

ChannelStats channelStats(const Dataset& dataset, const std::vector<int>& indices)
{
    if (indices.empty()) throw Error(dataset.path + ": channel statistics need at least one image");

    const std::size_t plane = std::size_t(dataset.height) * dataset.width;
    // Integer sums are exact (255^2 * 2^32 pixels still fits in 64 bits), so the only rounding
    // happens in the final double arithmetic.
    std::vector<std::uint64_t> sum(dataset.channels, 0), sumSquares(dataset.channels, 0);
    for (int index : indices) {
        if (index < 0 || std::size_t(index) >= dataset.count())
            throw Error(dataset.path + ": image index " + std::to_string(index) + " out of range");
        const std::uint8_t* image = dataset.image(std::size_t(index));
        for (int c = 0; c < dataset.channels; ++c) {
            std::uint64_t s = 0, s2 = 0;
            for (const std::uint8_t* p = image + c * plane; p != image + (c + 1) * plane; ++p) {
                s += *p;
                s2 += std::uint64_t(*p) * *p;
            }
            sum[c] += s;
            sumSquares[c] += s2;
        }
    }

    ChannelStats stats;
    const double values = double(indices.size()) * double(plane);
    for (int c = 0; c < dataset.channels; ++c) {
        const double mean = double(sum[c]) / values;
        const double variance = std::max(0.0, double(sumSquares[c]) / values - mean * mean);
        stats.mean.push_back(float(mean / 255.0));
        stats.std.push_back(float(std::sqrt(variance) / 255.0));
    }
    return stats;
}

} // namespace wb::data
