#pragma once

namespace wb {

// Sets LibTorch's intra-op thread count (Debian's build defaults to one); 0 = one per core.
// Returns the count in effect.
int setComputeThreads(int threads);

} // namespace wb
