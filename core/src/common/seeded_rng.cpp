#include "wb/common/seeded_rng.h"

#include "wb/common/error.h"

namespace wb {

std::uint64_t SeededRng::below(std::uint64_t bound)
{
    if (bound == 0) throw Error("SeededRng::below: bound must be positive");
    return uniformBelow(*this, bound);
}

int SeededRng::between(int low, int high)
{
    if (high < low) throw Error("SeededRng::between: empty range");
    return low + int(below(std::uint64_t(std::int64_t(high) - low + 1)));
}

} // namespace wb
