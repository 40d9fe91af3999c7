#pragma once

// Writers for the tiny dataset files the data tests generate in a temporary folder.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <stb_image_write.h>
#include <zlib.h>

#include <QTest>

namespace fixtures {

using Bytes = std::vector<std::uint8_t>;

inline void writeFile(const std::filesystem::path& file, const Bytes& bytes, bool gz = false)
{
    std::filesystem::create_directories(file.parent_path());
    if (gz) {
        gzFile out = gzopen(file.c_str(), "wb");
        QVERIFY2(out, file.c_str());
        if (!bytes.empty())
            QCOMPARE(gzwrite(out, bytes.data(), unsigned(bytes.size())), int(bytes.size()));
        QCOMPARE(gzclose(out), Z_OK);
        return;
    }
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    QVERIFY2(out.good(), file.c_str());
}

inline void writeText(const std::filesystem::path& file, const std::string& text)
{
    writeFile(file, Bytes(text.begin(), text.end()));
}

inline void appendBigEndian(Bytes& bytes, std::uint32_t value)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        bytes.push_back(std::uint8_t(value >> shift));
}

// An IDX images file: magic, count, rows, cols, then count * rows * cols pixel bytes.
inline Bytes idxImages(std::uint32_t count, std::uint32_t rows, std::uint32_t cols,
                       const Bytes& pixels, std::uint32_t magic = 0x00000803)
{
    Bytes bytes;
    appendBigEndian(bytes, magic);
    appendBigEndian(bytes, count);
    appendBigEndian(bytes, rows);
    appendBigEndian(bytes, cols);
    bytes.insert(bytes.end(), pixels.begin(), pixels.end());
    return bytes;
}

inline Bytes idxLabels(const Bytes& labels, std::uint32_t magic = 0x00000801)
{
    Bytes bytes;
    appendBigEndian(bytes, magic);
    appendBigEndian(bytes, std::uint32_t(labels.size()));
    bytes.insert(bytes.end(), labels.begin(), labels.end());
    return bytes;
}

// PNG or BMP from interleaved pixels (components 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA).
inline void writePng(const std::filesystem::path& file, int width, int height, int components,
                     const Bytes& interleaved)
{
    std::filesystem::create_directories(file.parent_path());
    QVERIFY(stbi_write_png(file.c_str(), width, height, components, interleaved.data(),
                           width * components));
}

inline void writeBmp(const std::filesystem::path& file, int width, int height, int components,
                     const Bytes& interleaved)
{
    std::filesystem::create_directories(file.parent_path());
    QVERIFY(stbi_write_bmp(file.c_str(), width, height, components, interleaved.data()));
}

// One CIFAR record: label byte(s) then 3072 planar bytes; pixel i of plane c is
// (seed + 7 * c + i) mod 256 so every record and channel differs.
inline Bytes cifarRecord(const Bytes& labelBytes, int seed)
{
    Bytes record = labelBytes;
    for (int c = 0; c < 3; ++c) {
        for (int i = 0; i < 1024; ++i)
            record.push_back(std::uint8_t(seed + 7 * c + i));
    }
    return record;
}

} // namespace fixtures
