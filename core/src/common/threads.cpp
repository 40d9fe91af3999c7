#include "wb/common/threads.h"

#include <ATen/Parallel.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include <algorithm>
#include <thread>

namespace wb {

int setComputeThreads(int threads)
{
    const int n = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(n);
#ifdef _OPENMP
    // Our own parallel loops (ATen's inline OpenMP loops, compiled here) run on the OpenMP
    // runtime we link; a LibTorch that bundles its own runtime sets only that one.
    omp_set_num_threads(n);
#endif
    return at::get_num_threads();
}

} // namespace wb
