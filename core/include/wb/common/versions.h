#pragma once

#include <string>

namespace wb {

// The versions a run depends on for reproducibility, e.g. "LibTorch 1.13.1 (oneDNN, OpenMP)".
std::string libraryVersions();

} // namespace wb
