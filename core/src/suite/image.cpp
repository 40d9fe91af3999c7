#include "wb/suite/image.h"

#include "wb/common/error.h"

#include <algorithm>
#include <fstream>

#include <stb_image_write.h>

namespace wb::suite {

namespace {

// Source pixels covering each output pixel along one axis with their integer weights. Output
// pixel i spans [i * srcN, (i + 1) * srcN) and source pixel x spans [x * dstN, (x + 1) * dstN)
// in units of 1 / (srcN * dstN) source pixels; the weight is the overlap, and the weights of one
// output pixel sum to srcN.
struct Tap {
    int index;
    std::uint64_t weight;
};

std::vector<std::vector<Tap>> axisTaps(int srcN, int dstN)
{
    std::vector<std::vector<Tap>> taps(static_cast<std::size_t>(dstN));
    for (int i = 0; i < dstN; ++i) {
        const std::int64_t begin = std::int64_t(i) * srcN;
        const std::int64_t end = begin + srcN;
        for (std::int64_t x = begin / dstN; x < srcN && x * dstN < end; ++x) {
            const std::int64_t overlap =
                std::min(end, (x + 1) * dstN) - std::max(begin, x * std::int64_t(dstN));
            if (overlap > 0) taps[std::size_t(i)].push_back({int(x), std::uint64_t(overlap)});
        }
    }
    return taps;
}

} // namespace

Image Image::filled(int width, int height, int channels, std::uint8_t value)
{
    Image image;
    image.width = width;
    image.height = height;
    image.channels = channels;
    image.pixels.assign(std::size_t(width) * height * channels, value);
    return image;
}

Image areaResize(const Image& source, int width, int height)
{
    if (source.width <= 0 || source.height <= 0 || width <= 0 || height <= 0)
        throw Error("areaResize: empty image or size");
    const auto xTaps = axisTaps(source.width, width);
    const auto yTaps = axisTaps(source.height, height);
    const std::uint64_t total = std::uint64_t(source.width) * std::uint64_t(source.height);
    Image out = Image::filled(width, height, source.channels, 0);
    std::vector<std::uint64_t> sums(static_cast<std::size_t>(source.channels));
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            std::fill(sums.begin(), sums.end(), 0);
            for (const Tap& ty : yTaps[std::size_t(y)]) {
                for (const Tap& tx : xTaps[std::size_t(x)]) {
                    const std::uint64_t w = ty.weight * tx.weight;
                    const std::uint8_t* p = source.at(tx.index, ty.index);
                    for (int c = 0; c < source.channels; ++c)
                        sums[std::size_t(c)] += w * p[c];
                }
            }
            std::uint8_t* o = out.at(x, y);
            for (int c = 0; c < source.channels; ++c)
                o[c] = std::uint8_t((sums[std::size_t(c)] + total / 2) / total);
        }
    }
    return out;
}

Image cropPadResize(const Image& onWhite, const std::vector<std::uint8_t>& ink, int size,
                    int margin)
{
    if (ink.size() != std::size_t(onWhite.width) * onWhite.height)
        throw Error("cropPadResize: ink mask size differs from the image");
    if (size <= 2 * margin) throw Error("cropPadResize: margin leaves no room");
    int left = onWhite.width, top = onWhite.height, right = -1, bottom = -1;
    for (int y = 0; y < onWhite.height; ++y) {
        for (int x = 0; x < onWhite.width; ++x) {
            if (ink[std::size_t(y) * onWhite.width + x] == 0) continue;
            left = std::min(left, x);
            right = std::max(right, x);
            top = std::min(top, y);
            bottom = std::max(bottom, y);
        }
    }
    if (right < 0) throw Error("cropPadResize: no ink");
    const int boxWidth = right - left + 1;
    const int boxHeight = bottom - top + 1;
    const int box = std::max(boxWidth, boxHeight);
    // Square side such that the box spans size - 2 * margin output pixels (rounded up, so the
    // ink never touches the border).
    const int side = (box * size + (size - 2 * margin) - 1) / (size - 2 * margin);
    Image square = Image::filled(side, side, onWhite.channels, 255);
    const int offsetX = (side - boxWidth) / 2;
    const int offsetY = (side - boxHeight) / 2;
    const std::size_t rowBytes = std::size_t(boxWidth) * onWhite.channels;
    for (int y = 0; y < boxHeight; ++y)
        std::copy_n(onWhite.at(left, top + y), rowBytes, square.at(offsetX, offsetY + y));
    return areaResize(square, size, size);
}

Image toGrey(const Image& image)
{
    if (image.channels == 1) return image;
    Image grey = Image::filled(image.width, image.height, 1, 0);
    const std::size_t count = std::size_t(image.width) * image.height;
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint8_t* p = image.pixels.data() + i * image.channels;
        // BT.601 weights scaled by 1000.
        grey.pixels[i] = std::uint8_t((299u * p[0] + 587u * p[1] + 114u * p[2] + 500u) / 1000u);
    }
    return grey;
}

Image toRgb(const Image& image)
{
    if (image.channels == 3) return image;
    if (image.channels != 1) throw Error("toRgb: expected a grey or RGB image");
    Image rgb = Image::filled(image.width, image.height, 3, 0);
    for (std::size_t i = 0; i < image.pixels.size(); ++i)
        std::fill_n(rgb.pixels.data() + i * 3, 3, image.pixels[i]);
    return rgb;
}

std::vector<std::uint8_t> encodePng(const Image& image)
{
    std::vector<std::uint8_t> bytes;
    const auto append = [](void* context, void* data, int size) {
        auto* out = static_cast<std::vector<std::uint8_t>*>(context);
        const auto* begin = static_cast<const std::uint8_t*>(data);
        out->insert(out->end(), begin, begin + size);
    };
    if (!stbi_write_png_to_func(append, &bytes, image.width, image.height, image.channels,
                                image.pixels.data(), image.width * image.channels))
        throw Error("cannot encode a " + std::to_string(image.width) + "x" +
                    std::to_string(image.height) + " PNG");
    return bytes;
}

void writePng(const std::filesystem::path& file, const Image& image)
{
    const std::vector<std::uint8_t> bytes = encodePng(image);
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    out.close();
    if (!out) throw Error(file.string() + ": cannot write");
}

} // namespace wb::suite
