#pragma once

#include <string>
#include <string_view>

namespace wb {

// Writes `bytes` to `path` through a temporary file beside it and a rename, so a reader never
// sees half a file and an interrupted write leaves the old file intact. Throws wb::Error naming
// the file (cannot create, disk full, cannot move into place).
void writeFileAtomically(const std::string& path, std::string_view bytes);

} // namespace wb
