#pragma once

#include "wb/common/seeded_rng.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace wb::suite {

// The suite's generator: wb::SeededRng (SplitMix64), the same numbers on every machine, so the
// suite chooses the same classes and images everywhere.
using wb::SeededRng;

// Seed of one named random stream ("GRK/classes", "TEX/crops", ...) under the suite seed, so that
// building one dataset alone (--only) gives the same output as building the whole suite.
std::uint64_t deriveSeed(std::uint64_t suiteSeed, std::string_view stream);

// k distinct indices of [0, n), in increasing order; throws wb::Error when k > n.
std::vector<int> chooseSorted(int n, int k, SeededRng& rng);

// Picks k items round-robin across groups: groups are visited in a shuffled order, each group's
// items in a shuffled order, one item per group per round, until k are chosen (fewer if the
// groups run out). Keeps a selection varied when some groups (font families, emoji styles) are
// much larger than others. Returns (group, item) pairs in the order picked.
std::vector<std::pair<int, int>> pickRoundRobin(const std::vector<int>& groupSizes, int k,
                                                SeededRng& rng);

} // namespace wb::suite
