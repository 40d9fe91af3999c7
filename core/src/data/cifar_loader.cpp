#include "data/loaders.h"

#include "data/file_io.h"
#include "data/image_collector.h"
#include "wb/common/error.h"

#include <algorithm>

namespace fs = std::filesystem;

namespace wb::data {

namespace {

constexpr int kSide = 32;                              // CIFAR images are 32x32
constexpr std::size_t kImageBytes = 3 * kSide * kSide; // planar R, G, B

// CIFAR-10 records carry one label byte; CIFAR-100 records carry coarse then fine, and the fine
// label (100 classes) is the one used.
struct Variant {
    const char* name;
    std::size_t labelBytes;
    const char* namesFile;
    int classes; // labels are 0 .. classes - 1
};
constexpr Variant kCifar10{"CIFAR-10", 1, "batches.meta.txt", 10};
constexpr Variant kCifar100{"CIFAR-100", 2, "fine_label_names.txt", 100};

const std::vector<std::string> kCifar10Files = {"data_batch_1.bin", "data_batch_2.bin",
                                                "data_batch_3.bin", "data_batch_4.bin",
                                                "data_batch_5.bin", "test_batch.bin"};
const std::vector<std::string> kCifar100Files = {"train.bin", "test.bin"};

std::size_t recordBytes(const Variant& variant)
{
    return variant.labelBytes + kImageBytes;
}

bool isCifar10Name(const std::string& name)
{
    return name == "test_batch.bin" || (name.starts_with("data_batch_") && name.ends_with(".bin"));
}

// Picks the variant of a single .bin file from its name, or from its size when the name is not
// one of the official ones.
Variant variantOfFile(const fs::path& file)
{
    const std::string name = file.filename().string();
    if (isCifar10Name(name)) return kCifar10;
    if (name == "train.bin" || name == "test.bin") return kCifar100;

    const std::uintmax_t size = fs::file_size(file);
    const bool fits10 = size % recordBytes(kCifar10) == 0;
    const bool fits100 = size % recordBytes(kCifar100) == 0;
    if (fits10 && !fits100) return kCifar10;
    if (fits100 && !fits10) return kCifar100;
    if (!fits10) {
        throw Error(file.string() + ": size " + std::to_string(size) +
                    " bytes is not a multiple of a CIFAR-10 (3073-byte) or CIFAR-100 (3074-byte) "
                    "record");
    }
    throw Error(file.string() + ": cannot tell CIFAR-10 from CIFAR-100 by size; rename it to " +
                "data_batch_1.bin (CIFAR-10) or train.bin (CIFAR-100)");
}

void loadBatch(const fs::path& file, const Variant& variant, ImageCollector& collector,
               int& maxLabel)
{
    const std::vector<std::uint8_t> bytes = readBinaryFile(file);
    const std::size_t record = recordBytes(variant);
    if (bytes.empty()) throw Error(file.string() + ": empty file");
    if (bytes.size() % record != 0) {
        throw Error(file.string() + ": size " + std::to_string(bytes.size()) +
                    " bytes is not a multiple of the " + std::to_string(record) + "-byte " +
                    variant.name + " record");
    }
    const std::string source = file.string();
    for (std::size_t offset = 0; offset < bytes.size(); offset += record) {
        const int label = bytes[offset + variant.labelBytes - 1];
        if (label >= variant.classes)
            throw Error(file.string() + ": record " + std::to_string(offset / record) + " (byte " +
                        std::to_string(offset + variant.labelBytes - 1) + "): label " +
                        std::to_string(label) + " is outside " + variant.name + "'s " +
                        std::to_string(variant.classes) + " classes (0 to " +
                        std::to_string(variant.classes - 1) + ")");
        collector.add(bytes.data() + offset + variant.labelBytes, 3, kSide, kSide, label, source);
        maxLabel = std::max(maxLabel, label);
    }
}

// One name per non-blank line; surrounding whitespace (and CR) trimmed.
std::vector<std::string> readNameLines(const fs::path& file)
{
    const std::string text = readTextFile(file);
    std::vector<std::string> names;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        const auto first = line.find_first_not_of(" \t\r");
        if (first != std::string::npos)
            names.push_back(line.substr(first, line.find_last_not_of(" \t\r") - first + 1));
        start = end + 1;
    }
    return names;
}

} // namespace

bool looksLikeCifar(const fs::path& path)
{
    if (fs::is_regular_file(path)) return toLowerAscii(path.extension().string()) == ".bin";
    if (!fs::is_directory(path)) return false;
    for (const auto* files : {&kCifar10Files, &kCifar100Files}) {
        for (const std::string& name : *files) {
            if (fs::is_regular_file(path / name)) return true;
        }
    }
    return false;
}

Dataset loadCifar(const fs::path& path, const LoadOptions& options)
{
    Dataset dataset;
    std::vector<fs::path> files;
    Variant variant = kCifar10;
    fs::path folder = path;
    if (fs::is_regular_file(path)) {
        variant = variantOfFile(path);
        files.push_back(path);
        folder = path.parent_path();
    } else {
        for (const std::string& name : kCifar10Files) {
            if (fs::is_regular_file(path / name)) files.push_back(path / name);
        }
        if (files.empty()) {
            variant = kCifar100;
            for (const std::string& name : kCifar100Files) {
                if (fs::is_regular_file(path / name)) files.push_back(path / name);
            }
        } else if (fs::is_regular_file(path / "train.bin") ||
                   fs::is_regular_file(path / "test.bin")) {
            dataset.warnings.push_back(path.string() +
                                       ": holds both CIFAR-10 and CIFAR-100 files; "
                                       "loaded CIFAR-10, ignored train.bin / test.bin");
        }
        if (files.empty()) {
            throw Error(path.string() + ": no CIFAR batch files (expected data_batch_1..5.bin "
                                        "and test_batch.bin, or train.bin and test.bin)");
        }
    }

    ImageCollector collector(path.string(), options.imageSize);
    int maxLabel = -1;
    for (const fs::path& file : files)
        loadBatch(file, variant, collector, maxLabel);
    collector.moveInto(dataset);

    const fs::path namesFile = folder / variant.namesFile;
    dataset.classNames = numberedClassNames(maxLabel + 1);
    if (fs::is_regular_file(namesFile)) {
        std::vector<std::string> names = readNameLines(namesFile);
        if (int(names.size()) > maxLabel) {
            dataset.classNames = std::move(names);
        } else {
            dataset.warnings.push_back(namesFile.string() + ": " + std::to_string(names.size()) +
                                       " names for labels up to " + std::to_string(maxLabel) +
                                       "; using numbers instead");
        }
    }
    return dataset;
}

} // namespace wb::data
