#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace wb::suite {

// An 8-bit image, interleaved (row-major, channels per pixel: 1 grey, 3 RGB). Plain value type.
struct Image {
    int width = 0;
    int height = 0;
    int channels = 0;
    std::vector<std::uint8_t> pixels; // size() == width * height * channels

    static Image filled(int width, int height, int channels, std::uint8_t value);
    std::uint8_t* at(int x, int y)
    {
        return pixels.data() + (std::size_t(y) * width + x) * channels;
    }
    const std::uint8_t* at(int x, int y) const
    {
        return pixels.data() + (std::size_t(y) * width + x) * channels;
    }
    bool operator==(const Image&) const = default;
};

// Exact area (box) resampling in integer arithmetic: each output pixel is the overlap-weighted
// mean of the source pixels it covers, rounded to nearest. A downscale is antialiased, and the
// result is bit-identical on every machine (no floating point, no library version involved).
Image areaResize(const Image& source, int width, int height);

// The glyph/emoji normalisation: crops `onWhite` (RGB on a white background) to the bounding box
// of the pixels where ink > 0, pads that box to a white square with `margin` output pixels on
// the larger side, and area-resizes it to size x size. ink has one byte per pixel of onWhite.
// An image without ink throws wb::Error.
Image cropPadResize(const Image& onWhite, const std::vector<std::uint8_t>& ink, int size,
                    int margin);

// Grey copy (ITU-R BT.601 luma, integer rounding) and RGB copy (grey replicated).
Image toGrey(const Image& image);
Image toRgb(const Image& image);

// PNG bytes from stb_image_write (fixed settings, so equal pixels give equal bytes).
std::vector<std::uint8_t> encodePng(const Image& image);
// Writes encodePng(image) to file; throws wb::Error naming the file.
void writePng(const std::filesystem::path& file, const Image& image);

} // namespace wb::suite
