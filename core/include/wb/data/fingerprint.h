#pragma once

#include <string>

namespace wb::data {

struct Dataset;

// Identity of a loaded dataset's content: the SHA-256 (64 lower-case hex digits) of the format
// name, class names, image geometry (channels, height, width), labels and pixels, each field
// length-prefixed so no two datasets hash the same bytes. Pixels are taken after resizing, so
// the image size is part of the identity: the same files loaded at two sizes are two datasets.
// The path and the warnings are not: moving a dataset keeps its fingerprint.
std::string datasetFingerprint(const Dataset& dataset);

} // namespace wb::data
