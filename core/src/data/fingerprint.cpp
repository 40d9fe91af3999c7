#include "wb/data/fingerprint.h"

#include "wb/common/sha256.h"
#include "wb/data/dataset.h"

namespace wb::data {

namespace {

// Little-endian, fixed width, so the hash is the same on every machine.
void hashUint64(Sha256& hash, std::uint64_t value)
{
    std::uint8_t bytes[8];
    for (int i = 0; i < 8; ++i)
        bytes[i] = std::uint8_t(value >> (8 * i));
    hash.update(bytes, sizeof bytes);
}

void hashString(Sha256& hash, const std::string& text)
{
    hashUint64(hash, text.size());
    hash.update(text);
}

} // namespace

std::string datasetFingerprint(const Dataset& dataset)
{
    Sha256 hash;
    // Bumped whenever the hashed fields or their encoding change.
    hashString(hash, "wb.dataset.v1");
    hashString(hash, formatName(dataset.format));
    hashUint64(hash, dataset.classNames.size());
    for (const std::string& name : dataset.classNames)
        hashString(hash, name);
    hashUint64(hash, std::uint64_t(dataset.channels));
    hashUint64(hash, std::uint64_t(dataset.height));
    hashUint64(hash, std::uint64_t(dataset.width));
    hashUint64(hash, dataset.labels.size());
    for (int label : dataset.labels)
        hashUint64(hash, std::uint64_t(std::uint32_t(label)));
    hashUint64(hash, dataset.pixels.size());
    hash.update(dataset.pixels.data(), dataset.pixels.size());
    return hash.hexDigest();
}

} // namespace wb::data
