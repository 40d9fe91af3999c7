#pragma once

// Seeded randomness that gives the same numbers on every machine: SplitMix64 (Steele, Lea, Flood
// 2014) for seeds and small streams, unbiased bounded draws and Fisher-Yates for any 64-bit
// engine. Written out because the standard distributions and std::shuffle differ between
// standard libraries, and splits, samples and the offline suite must not.

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace wb {

// One SplitMix64 step: spreads a seed (or seed ^ index) over all 64 bits, so neighbouring
// seeds give unrelated streams.
constexpr std::uint64_t splitMix64(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// Uniform in [0, bound), bound > 0, by rejection: no modulo bias. `engine()` must return
// uniform 64-bit values (std::mt19937_64, SeededRng).
template <typename Engine> std::uint64_t uniformBelow(Engine& engine, std::uint64_t bound)
{
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    const std::uint64_t limit = kMax - kMax % bound; // a multiple of bound
    std::uint64_t value = engine();
    while (value >= limit)
        value = engine();
    return value % bound;
}

// Fisher-Yates, from the last element down.
template <typename T, typename Engine> void shuffle(std::vector<T>& items, Engine& engine)
{
    for (std::size_t i = items.size(); i > 1; --i)
        std::swap(items[i - 1], items[std::size_t(uniformBelow(engine, i))]);
}

// A SplitMix64 stream. Owned by one user on one thread.
class SeededRng {
public:
    explicit SeededRng(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t operator()() { return next(); }
    std::uint64_t next()
    {
        const auto out = splitMix64(m_state);
        m_state += 0x9e3779b97f4a7c15ull;
        return out;
    }
    // Uniform in [0, bound); throws wb::Error for bound 0.
    std::uint64_t below(std::uint64_t bound);
    // Uniform in [low, high]; throws wb::Error when high < low.
    int between(int low, int high);
    template <typename T> void shuffle(std::vector<T>& items) { wb::shuffle(items, *this); }

private:
    std::uint64_t m_state;
};

} // namespace wb
