#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wb {

// Incremental SHA-256 (FIPS 180-4), used for dataset fingerprints and checkpoint checksums.
class Sha256 {
public:
    Sha256();
    void update(const void* data, std::size_t size);
    void update(std::string_view text) { update(text.data(), text.size()); }
    std::string hexDigest(); // finishes the hash; call once

private:
    void compress(const std::uint8_t* block);
    std::uint32_t m_state[8];
    std::uint8_t m_buffer[64];
    std::size_t m_buffered = 0;
    std::uint64_t m_totalBytes = 0;
};

// The hex SHA-256 of a file's bytes. Throws wb::Error naming the file when it cannot be read.
std::string fileSha256(const std::string& path);

} // namespace wb
