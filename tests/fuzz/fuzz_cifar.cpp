// CIFAR binary batches through the dataset loader. Input: byte 0 bit 0 picks CIFAR-100
// (train.bin) or CIFAR-10 (data_batch_1.bin), bit 1 adds a class-names file made of the rest
// of the input too; then the batch bytes.

#include "fuzz_files.h"

#include "wb/common/error.h"
#include "wb/data/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1) return 0;
    const bool hundred = data[0] & 1;
    const auto dir = wb::fuzz::freshFolder("cifar");
    wb::fuzz::writeBytes(dir / (hundred ? "train.bin" : "data_batch_1.bin"), data + 1, size - 1);
    if (data[0] & 2)
        wb::fuzz::writeBytes(dir / (hundred ? "fine_label_names.txt" : "batches.meta.txt"),
                             data + 1, size - 1);
    try {
        wb::data::loadDataset(dir.string(), {});
    } catch (const wb::Error&) {
    }
    return 0;
}
