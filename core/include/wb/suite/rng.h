#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace wb::suite {

// SplitMix64 (Steele, Lea, Flood 2014), written out here because the standard distributions
// differ between standard libraries: the suite must choose the same classes and images on
// every machine. Owned by one builder on one thread.
class SeededRng {
public:
    explicit SeededRng(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next();
    // Uniform in [0, bound), bound > 0, by rejection (no modulo bias).
    std::uint64_t below(std::uint64_t bound);
    // Uniform in [low, high], low <= high.
    int between(int low, int high);
    // Fisher-Yates, from the last element down.
    template <typename T> void shuffle(std::vector<T>& items)
    {
        for (std::size_t i = items.size(); i > 1; --i)
            std::swap(items[i - 1], items[std::size_t(below(i))]);
    }

private:
    std::uint64_t m_state;
};

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
