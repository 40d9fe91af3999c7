#include "wb/suite/rng.h"

#include "wb/common/error.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace wb::suite {

std::uint64_t deriveSeed(std::uint64_t suiteSeed, std::string_view stream)
{
    // FNV-1a (64 bit) of the stream name, mixed with the seed through one SplitMix64 step.
    std::uint64_t hash = 0xcbf29ce484222325ull;
    for (const char c : stream) {
        hash ^= std::uint8_t(c);
        hash *= 0x100000001b3ull;
    }
    SeededRng mixer(suiteSeed ^ hash);
    return mixer.next();
}

std::vector<int> chooseSorted(int n, int k, SeededRng& rng)
{
    if (k < 0 || k > n)
        throw Error("cannot choose " + std::to_string(k) + " of " + std::to_string(n));
    std::vector<int> all(static_cast<std::size_t>(n));
    std::iota(all.begin(), all.end(), 0);
    rng.shuffle(all);
    all.resize(std::size_t(k));
    std::sort(all.begin(), all.end());
    return all;
}

std::vector<std::pair<int, int>> pickRoundRobin(const std::vector<int>& groupSizes, int k,
                                                SeededRng& rng)
{
    std::vector<int> order(groupSizes.size());
    std::iota(order.begin(), order.end(), 0);
    rng.shuffle(order);
    std::vector<std::vector<int>> items(groupSizes.size());
    for (const int g : order) { // shuffled in visiting order, so the draws do not depend on
                                // how groups were numbered beyond the first shuffle
        items[std::size_t(g)].resize(std::size_t(groupSizes[std::size_t(g)]));
        std::iota(items[std::size_t(g)].begin(), items[std::size_t(g)].end(), 0);
        rng.shuffle(items[std::size_t(g)]);
    }
    std::vector<std::pair<int, int>> picked;
    for (std::size_t round = 0; int(picked.size()) < k; ++round) {
        bool any = false;
        for (const int g : order) {
            if (int(picked.size()) == k) break;
            if (round >= items[std::size_t(g)].size()) continue;
            picked.emplace_back(g, items[std::size_t(g)][round]);
            any = true;
        }
        if (!any) break;
    }
    return picked;
}

} // namespace wb::suite
