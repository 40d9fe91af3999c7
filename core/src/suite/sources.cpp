#include "wb/suite/sources.h"

#include "wb/common/error.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

namespace wb::suite {

namespace {

// Patterns larger than this per side are rejected as corrupt (pixels; GIMP's own are <= 512).
constexpr std::uint32_t kMaxPatternSide = 8192;

std::uint32_t bigEndian32(const std::uint8_t* p)
{
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 |
           std::uint32_t(p[3]);
}

std::string trim(const std::string& text)
{
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

} // namespace

GimpPattern parseGimpPattern(const std::vector<std::uint8_t>& bytes, const std::string& sourceName)
{
    if (bytes.size() < 24) throw Error(sourceName + ": too short for a GIMP pattern header");
    const std::uint32_t headerSize = bigEndian32(&bytes[0]);
    const std::uint32_t version = bigEndian32(&bytes[4]);
    const std::uint32_t width = bigEndian32(&bytes[8]);
    const std::uint32_t height = bigEndian32(&bytes[12]);
    const std::uint32_t depth = bigEndian32(&bytes[16]);
    if (std::string(bytes.begin() + 20, bytes.begin() + 24) != "GPAT")
        throw Error(sourceName + ": not a GIMP pattern (no GPAT magic)");
    if (version != 1)
        throw Error(sourceName + ": unsupported GIMP pattern version " + std::to_string(version));
    if (width == 0 || height == 0 || width > kMaxPatternSide || height > kMaxPatternSide)
        throw Error(sourceName + ": bad pattern size " + std::to_string(width) + "x" +
                    std::to_string(height));
    if (depth < 1 || depth > 4)
        throw Error(sourceName + ": bad bytes per pixel " + std::to_string(depth));
    if (headerSize < 24 || headerSize > bytes.size())
        throw Error(sourceName + ": bad header size " + std::to_string(headerSize));
    const std::size_t pixelBytes = std::size_t(width) * height * depth;
    if (bytes.size() - headerSize < pixelBytes)
        throw Error(sourceName + ": truncated pixel data (" +
                    std::to_string(bytes.size() - headerSize) + " of " +
                    std::to_string(pixelBytes) + " bytes)");

    GimpPattern pattern;
    const auto nameBegin = bytes.begin() + 24;
    const auto nameEnd = bytes.begin() + headerSize;
    pattern.name = std::string(nameBegin, std::find(nameBegin, nameEnd, std::uint8_t(0)));
    pattern.image = Image::filled(int(width), int(height), 3, 255);
    const std::uint8_t* source = bytes.data() + headerSize;
    const bool alpha = depth == 2 || depth == 4;
    const int colours = alpha ? int(depth) - 1 : int(depth);
    for (std::size_t p = 0; p < std::size_t(width) * height; ++p, source += depth) {
        std::uint8_t* out = pattern.image.pixels.data() + p * 3;
        for (int c = 0; c < 3; ++c) {
            const int value = source[colours == 1 ? 0 : c];
            const int a = alpha ? source[depth - 1] : 255;
            out[c] = std::uint8_t((value * a + 255 * (255 - a) + 127) / 255);
        }
    }
    return pattern;
}

GimpPattern readGimpPattern(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(file.string() + ": cannot read");
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                          std::istreambuf_iterator<char>());
    return parseGimpPattern(bytes, file.string());
}

std::vector<EmojiEntry> parseEmojiTest(const std::string& text, const std::string& sourceName)
{
    std::vector<EmojiEntry> entries;
    std::istringstream lines(text);
    std::string line, group, subgroup;
    int number = 0;
    while (std::getline(lines, line)) {
        ++number;
        if (line.starts_with("# group:")) {
            group = trim(line.substr(8));
            continue;
        }
        if (line.starts_with("# subgroup:")) {
            subgroup = trim(line.substr(11));
            continue;
        }
        if (trim(line).empty() || line[0] == '#') continue;
        const std::string where = sourceName + ": line " + std::to_string(number);
        const auto semicolon = line.find(';');
        const auto hash = line.find('#', semicolon == std::string::npos ? 0 : semicolon);
        if (semicolon == std::string::npos || hash == std::string::npos)
            throw Error(where + ": expected 'CODEPOINTS ; status # emoji name'");
        EmojiEntry entry;
        std::istringstream codes(line.substr(0, semicolon));
        std::string code;
        while (codes >> code) {
            std::size_t used = 0;
            unsigned long value = 0;
            try {
                value = std::stoul(code, &used, 16);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != code.size() || value > 0x10ffff)
                throw Error(where + ": bad code point '" + code + "'");
            entry.codepoints.push_back(char32_t(value));
        }
        if (entry.codepoints.empty()) throw Error(where + ": no code points");
        entry.status = trim(line.substr(semicolon + 1, hash - semicolon - 1));
        // After '#': the emoji itself, its version ("E1.0") and its name.
        std::istringstream comment(line.substr(hash + 1));
        std::string emoji, emojiVersion;
        comment >> emoji >> emojiVersion;
        std::getline(comment, entry.name);
        entry.name = trim(entry.name);
        entry.group = group;
        entry.subgroup = subgroup;
        entries.push_back(std::move(entry));
    }
    return entries;
}

} // namespace wb::suite
