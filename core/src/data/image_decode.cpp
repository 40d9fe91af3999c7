#include "data/image_decode.h"

#include "data/file_io.h"
#include "wb/common/error.h"

#include <climits>
#include <memory>
#include <string>

#include <stb_image.h>

namespace wb::data {

namespace {

// Largest image side accepted (pixels): dataset images are far smaller; it bounds what a corrupt
// header can make us allocate (8192^2 RGBA = 256 MiB), as the IDX loader does.
constexpr int kMaxImageSide = 8192;

// Blends a colour value with its alpha over white, rounding to nearest.
std::uint8_t overWhite(std::uint8_t value, std::uint8_t alpha)
{
    return std::uint8_t((value * alpha + 255 * (255 - alpha) + 127) / 255);
}

} // namespace

DecodedImage decodeImage(const std::vector<std::uint8_t>& bytes)
{
    if (bytes.empty()) throw Error("empty file");
    if (bytes.size() > std::size_t(INT_MAX)) throw Error("file too large to decode");

    int width = 0, height = 0, components = 0;
    // The header alone can claim gigapixels (a 53-byte BMP of 63487 x 3360, found by
    // tools/fuzz.sh): refuse before stb_image allocates and decodes them.
    if (stbi_info_from_memory(bytes.data(), int(bytes.size()), &width, &height, &components) &&
        (width > kMaxImageSide || height > kMaxImageSide))
        throw Error("image of " + std::to_string(width) + "x" + std::to_string(height) +
                    " pixels is larger than the " + std::to_string(kMaxImageSide) +
                    "-pixel sides accepted");
    std::unique_ptr<stbi_uc, void (*)(void*)> data(
        stbi_load_from_memory(bytes.data(), int(bytes.size()), &width, &height, &components, 0),
        &stbi_image_free);
    if (!data) {
        // Some stb_image reasons embed raw bytes from the file (an unknown PNG chunk name);
        // keep the message printable so it survives JSON and the GUI.
        std::string reason = stbi_failure_reason() ? stbi_failure_reason() : "unknown error";
        for (char& c : reason) {
            if (c < 0x20 || c > 0x7e) c = '?';
        }
        throw Error("cannot decode image (" + reason + ")");
    }

    // 1 = grey, 2 = grey + alpha, 3 = RGB, 4 = RGBA (stb_image's interleaved layouts).
    const bool hasAlpha = components == 2 || components == 4;
    const int colours = hasAlpha ? components - 1 : components;
    DecodedImage image;
    image.channels = colours;
    image.height = height;
    image.width = width;
    const std::size_t plane = std::size_t(width) * height;
    image.pixels.resize(plane * colours);
    const stbi_uc* source = data.get();
    for (std::size_t p = 0; p < plane; ++p, source += components) {
        for (int c = 0; c < colours; ++c) {
            image.pixels[c * plane + p] =
                hasAlpha ? overWhite(source[c], source[components - 1]) : source[c];
        }
    }
    return image;
}

DecodedImage decodeImageFile(const std::filesystem::path& file)
{
    const std::vector<std::uint8_t> bytes = readBinaryFile(file);
    try {
        return decodeImage(bytes);
    } catch (const Error& error) {
        throw Error(file.string() + ": " + error.what());
    }
}

} // namespace wb::data
