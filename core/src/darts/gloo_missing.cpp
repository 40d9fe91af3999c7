// A build whose LibTorch came without Gloo's headers: data-parallel search says so when asked.

#include "darts/rank_group.h"

#include "wb/common/error.h"

namespace wb::darts {

bool dataParallelAvailable()
{
    return false;
}

std::unique_ptr<RankGroup> connectGlooGroup(const ProcessGroupSpec&)
{
    throw Error("this build cannot run data-parallel search: its LibTorch was found without "
                "Gloo's headers (install libgloo-dev and rebuild)");
}

} // namespace wb::darts
