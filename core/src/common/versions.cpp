#include "wb/common/versions.h"

#include <torch/torch.h>
#include <torch/version.h>

namespace wb {

std::string libraryVersions()
{
    std::string s = "LibTorch " + std::to_string(TORCH_VERSION_MAJOR) + "." +
                    std::to_string(TORCH_VERSION_MINOR) + "." +
                    std::to_string(TORCH_VERSION_PATCH);
    s += at::hasMKLDNN() ? " (oneDNN" : " (no oneDNN";
    s += at::hasOpenMP() ? ", OpenMP)" : ")";
    return s;
}

} // namespace wb
