#pragma once

// The bookkeeping a checkpoint carries beside its tensors, read without LibTorch: a batch
// sampler's position and the epoch history. A checkpoint's bytes are checked against their
// recorded SHA-256 before they are read, but the file itself may come from anywhere (`zoo add`
// takes any file), so every field is validated here.

#include "wb/darts/observer.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace wb::darts {

// A seeded shuffled order over a split and the position in it.
struct SamplerState {
    std::int64_t size = 0;  // items in the split
    std::int64_t batch = 0; // items per batch
    std::int64_t pos = 0;   // next item of `order`
    std::mt19937_64 rng;
    std::vector<std::int64_t> order; // a permutation of 0..size-1 in use
};

std::string formatSamplerState(const SamplerState& state);
// Throws wb::Error unless `text` is the state of a split of `size` items in batches of `batch`
// whose indices all lie inside the split.
SamplerState parseSamplerState(const std::string& text, std::int64_t size, std::int64_t batch);

// Epoch, train loss and accuracy, val loss and accuracy, learning rate, seconds.
inline constexpr int kHistoryColumns = 7;
// The history stored as `rows` x `columns` doubles, row-major. Throws wb::Error unless there are
// kHistoryColumns columns and the epochs are 1, 2, 3, ... in order.
std::vector<EpochMetrics> historyFromRows(const double* values, std::int64_t rows,
                                          std::int64_t columns);

} // namespace wb::darts
