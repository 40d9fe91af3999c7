#include "common/torch_device.h"

#include "wb/common/error.h"

namespace wb {

torch::Device checkedDevice(const std::string& name)
{
    if (name == "cpu") return torch::kCPU;
    if (!torch::cuda::is_available())
        throw Error("device '" + name +
                    "': this LibTorch build has no CUDA support or sees no GPU (use --device "
                    "cpu)");
    const torch::Device device(name);
    const auto count = torch::cuda::device_count();
    if (device.has_index() && device.index() >= std::int64_t(count))
        throw Error("device '" + name + "': this machine has " + std::to_string(count) +
                    " CUDA device(s), cuda:0 to cuda:" + std::to_string(count - 1));
    return device;
}

} // namespace wb
