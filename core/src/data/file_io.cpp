#include "data/file_io.h"

#include "wb/common/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace wb::data {

namespace {

template <typename Buffer> Buffer readWholeFile(const std::filesystem::path& file)
{
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> stream(std::fopen(file.c_str(), "rb"),
                                                           &std::fclose);
    if (!stream) throw Error(file.string() + ": cannot open (" + std::strerror(errno) + ")");

    // Read in chunks rather than trusting a size query, which lies for pipes and /proc files.
    constexpr std::size_t kChunk = 1 << 20; // bytes per read
    Buffer buffer;
    std::size_t used = 0;
    for (;;) {
        buffer.resize(used + kChunk);
        const std::size_t got = std::fread(buffer.data() + used, 1, kChunk, stream.get());
        used += got;
        if (got < kChunk) break;
    }
    if (std::ferror(stream.get()))
        throw Error(file.string() + ": read error (" + std::strerror(errno) + ")");
    buffer.resize(used);
    return buffer;
}

} // namespace

std::vector<std::uint8_t> readBinaryFile(const std::filesystem::path& file)
{
    return readWholeFile<std::vector<std::uint8_t>>(file);
}

std::string readTextFile(const std::filesystem::path& file)
{
    return readWholeFile<std::string>(file);
}

std::string toLowerAscii(std::string text)
{
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    }
    return text;
}

} // namespace wb::data
