#pragma once

// Files that Python's `torch.load` reads (exported weights, example tensors).

#include <torch/torch.h>

#include <string>

namespace wb::darts {

// Writes `value` pickled as torch.save would. Throws wb::Error naming the file.
void writePickle(const c10::IValue& value, const std::string& path);

} // namespace wb::darts
