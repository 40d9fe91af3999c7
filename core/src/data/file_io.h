#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace wb::data {

// Whole-file reads for the loaders; throw wb::Error naming the file when it cannot be read.
std::vector<std::uint8_t> readBinaryFile(const std::filesystem::path& file);
std::string readTextFile(const std::filesystem::path& file);

// Lower-cased copy (ASCII only): extensions and format names compare case-insensitively.
std::string toLowerAscii(std::string text);

} // namespace wb::data
