#pragma once

// Helpers for fuzz targets whose parser reads files: a private scratch folder per process (in
// /dev/shm when present, so runs do not wear the disk) and byte writers.

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace wb::fuzz {

inline const std::filesystem::path& scratch()
{
    static const std::filesystem::path dir = [] {
        const std::filesystem::path base =
            std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
        auto d = base / ("wb-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        std::atexit([] { std::filesystem::remove_all(scratch()); });
        return d;
    }();
    return dir;
}

// A fresh, empty folder under scratch() for one input.
inline std::filesystem::path freshFolder(const char* name)
{
    const auto d = scratch() / name;
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    return d;
}

inline void writeBytes(const std::filesystem::path& file, const std::uint8_t* data,
                       std::size_t size)
{
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
}

} // namespace wb::fuzz
