#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace wb::data {

// One decoded image as the folder formats need it: planar (C x H x W), C = 1 (grey) or 3 (RGB),
// with any alpha channel already composited on white.
struct DecodedImage {
    int channels = 0;
    int height = 0;
    int width = 0;
    std::vector<std::uint8_t> pixels;
};

// Decodes a PNG, JPEG, BMP (or anything else stb_image reads) from memory; throws wb::Error
// with stb_image's reason (the caller prefixes the file name).
DecodedImage decodeImage(const std::vector<std::uint8_t>& bytes);

// Reads and decodes one file; throws wb::Error naming the file and the problem.
DecodedImage decodeImageFile(const std::filesystem::path& file);

} // namespace wb::data
