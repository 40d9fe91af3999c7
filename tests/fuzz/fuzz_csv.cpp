// The CSV reader, then the same text as a Meta-Album labels.csv beside images/ holding one
// valid 1x1 PNG (a.png), so rows naming it load and the rest exercise the row checks.

#include "fuzz_files.h"

#include "data/csv_reader.h"
#include "wb/common/error.h"
#include "wb/data/dataset.h"

namespace {

// A 1x1 grey PNG.
constexpr std::uint8_t kPng[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00,
    0x00, 0x3a, 0x7e, 0x9b, 0x55, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78,
    0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x48, 0xaf, 0xa4, 0x71, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        wb::data::parseCsv(text, "fuzz.csv");
    } catch (const wb::Error&) {
    }
    const auto dir = wb::fuzz::freshFolder("album");
    std::filesystem::create_directories(dir / "images");
    wb::fuzz::writeBytes(dir / "images" / "a.png", kPng, sizeof kPng);
    wb::fuzz::writeBytes(dir / "labels.csv", data, size);
    try {
        wb::data::loadDataset(dir.string(), {});
    } catch (const wb::Error&) {
    }
    return 0;
}
