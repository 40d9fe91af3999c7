#pragma once

// The LibTorch device a run asked for by name, checked against this build and machine.

#include <torch/torch.h>

#include <string>

namespace wb {

// "cpu", "cuda" or "cuda:N"; throws wb::Error when CUDA is asked of a LibTorch built without it
// (or seeing no GPU), or N is not a device of this machine.
torch::Device checkedDevice(const std::string& name);

} // namespace wb
