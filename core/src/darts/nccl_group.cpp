// The NCCL backend of a data-parallel search on GPUs (CUDA builds whose LibTorch has it).

#include "darts/c10d_group.h"

#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>

namespace wb::darts {

std::unique_ptr<RankGroup> connectNcclGroup(const ProcessGroupSpec& spec, torch::Device device)
{
    auto store = rendezvous(spec);
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = timeoutOf(spec);
    auto backend = reported(
        spec, "connecting the ranks (NCCL)",
        [&] {
            return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, spec.rank, spec.worldSize,
                                                               options);
        },
        "not every rank arrived within " + std::to_string(spec.timeoutSeconds) + " s");
    return std::make_unique<C10dGroup<c10d::ProcessGroupNCCL>>(spec, store, backend, device);
}

} // namespace wb::darts
