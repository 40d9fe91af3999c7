// IDX images + labels (plain or .gz) through the dataset loader. Input: byte 0 bit 0 picks .gz
// names (zlib reads the bytes as gzip, or transparently when they are not), bytes 1-2 the length
// of the labels file, then the labels file, then the images file.

#include "fuzz_files.h"

#include "wb/common/error.h"
#include "wb/data/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 3) return 0;
    const bool gz = data[0] & 1;
    const std::size_t labels = std::min<std::size_t>(size - 3, data[1] | data[2] << 8);
    const auto dir = wb::fuzz::freshFolder("idx");
    const std::string suffix = gz ? ".gz" : "";
    wb::fuzz::writeBytes(dir / ("train-labels-idx1-ubyte" + suffix), data + 3, labels);
    wb::fuzz::writeBytes(dir / ("train-images-idx3-ubyte" + suffix), data + 3 + labels,
                         size - 3 - labels);
    try {
        wb::data::loadDataset(dir.string(), {});
    } catch (const wb::Error&) {
    }
    return 0;
}
