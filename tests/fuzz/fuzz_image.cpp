// Image decoding (stb_image behind decodeImage: PNG, JPEG, BMP, GIF, ...) from memory.

#include "data/image_decode.h"
#include "wb/common/error.h"

#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    try {
        const auto image = wb::data::decodeImage(std::vector<std::uint8_t>(data, data + size));
        // The result must be as large as it says.
        if (image.pixels.size() !=
            std::size_t(image.channels) * std::size_t(image.height) * std::size_t(image.width))
            __builtin_trap();
    } catch (const wb::Error&) {
    }
    return 0;
}
