#pragma once

// Writes a small, easily separable IDX dataset for learning tests: class k of `classes` lights a
// square in its own region of a dark, noisy image. Header-only; used by core and CLI tests.

#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace wb::test {

inline void writeBigEndian(std::ofstream& out, std::uint32_t v)
{
    const unsigned char b[4] = {static_cast<unsigned char>(v >> 24), static_cast<unsigned char>(v >> 16),
                                static_cast<unsigned char>(v >> 8), static_cast<unsigned char>(v)};
    out.write(reinterpret_cast<const char*>(b), 4);
}

// Writes DIR/train-images-idx3-ubyte and DIR/train-labels-idx1-ubyte; classes <= 4. `inverted`
// draws dark squares on a bright background: a clearly different distribution.
inline void writeSeparableIdx(const std::string& dir, int classes, int perClass, int size,
                              unsigned seed = 1, bool inverted = false)
{
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> noise(0, 60);
    const int n = classes * perClass;
    std::ofstream images(dir + "/train-images-idx3-ubyte", std::ios::binary);
    std::ofstream labels(dir + "/train-labels-idx1-ubyte", std::ios::binary);
    writeBigEndian(images, 0x803);
    writeBigEndian(images, n);
    writeBigEndian(images, size);
    writeBigEndian(images, size);
    writeBigEndian(labels, 0x801);
    writeBigEndian(labels, n);
    const int half = size / 2;
    for (int i = 0; i < n; ++i) {
        const int label = i % classes;
        const int top = (label / 2) * half;
        const int left = (label % 2) * half;
        std::vector<unsigned char> img(std::size_t(size) * size);
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x) {
                const bool lit = y >= top && y < top + half && x >= left && x < left + half;
                const int v = noise(rng) + (lit ? 180 : 0);
                img[y * size + x] = static_cast<unsigned char>(inverted ? 255 - v : v);
            }
        images.write(reinterpret_cast<const char*>(img.data()), std::streamsize(img.size()));
        const unsigned char l = static_cast<unsigned char>(label);
        labels.write(reinterpret_cast<const char*>(&l), 1);
    }
}

} // namespace wb::test
