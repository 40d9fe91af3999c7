#include "wb/common/threads.h"

#include <torch/torch.h>

#include <thread>

namespace wb {

int setComputeThreads(int threads)
{
    const int n = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(n);
    return at::get_num_threads();
}

} // namespace wb
