// The Gloo backend of a data-parallel search: CPU tensors, any LibTorch built with c10d.

#include "darts/c10d_group.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>

#include <cstdlib>

namespace wb::darts {
namespace {

bool loopback(const std::string& host)
{
    return host == "127.0.0.1" || host == "localhost" || host == "::1";
}

} // namespace

bool dataParallelAvailable()
{
    return true;
}

std::unique_ptr<RankGroup> connectGlooGroup(const ProcessGroupSpec& spec)
{
    auto store = rendezvous(spec);
    auto options = c10d::ProcessGroupGloo::Options::create(timeoutOf(spec));
    // GLOO_SOCKET_IFNAME picks the interface as in PyTorch; a local group stays on loopback.
    const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
    options->devices.push_back(
        interface && *interface ? c10d::ProcessGroupGloo::createDeviceForInterface(interface)
        : loopback(spec.masterHost) ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                    : c10d::ProcessGroupGloo::createDefaultDevice());
    auto backend = reported(
        spec, "connecting the ranks",
        [&] {
            return c10::make_intrusive<c10d::ProcessGroupGloo>(store, spec.rank, spec.worldSize,
                                                               options);
        },
        "not every rank arrived within " + std::to_string(spec.timeoutSeconds) + " s");
    return std::make_unique<C10dGroup<c10d::ProcessGroupGloo>>(spec, store, backend, torch::kCPU);
}

} // namespace wb::darts
