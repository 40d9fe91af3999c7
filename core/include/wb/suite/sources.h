#pragma once

#include "wb/suite/image.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace wb::suite {

// A GIMP pattern (.pat, format version 1): big-endian header {header size, version 1, width,
// height, bytes per pixel 1-4, "GPAT"}, a NUL-terminated UTF-8 name, then the pixels.
struct GimpPattern {
    std::string name;
    Image image; // RGB, any alpha composited on white
};

// Throws wb::Error prefixed with sourceName on a bad magic, version, size or truncated data.
GimpPattern parseGimpPattern(const std::vector<std::uint8_t>& bytes, const std::string& sourceName);
GimpPattern readGimpPattern(const std::filesystem::path& file);

// One line of Unicode's emoji-test.txt.
struct EmojiEntry {
    std::u32string codepoints;
    std::string status; // "fully-qualified", "minimally-qualified", "unqualified", "component"
    std::string group;
    std::string subgroup;
    std::string name; // CLDR short name, e.g. "grinning face"
};

// Parses emoji-test.txt ("# group:", "# subgroup:" headers and "CODEPOINTS ; status # ..."
// lines). Throws wb::Error prefixed with sourceName on a malformed code point line.
std::vector<EmojiEntry> parseEmojiTest(const std::string& text, const std::string& sourceName);

} // namespace wb::suite
