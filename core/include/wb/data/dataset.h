#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wb::data {

enum class Format { Auto, Idx, MetaAlbum, ImageFolder, Cifar };

std::string formatName(Format format);
// Parses "auto|idx|metaalbum|imagefolder|cifar"; throws wb::Error on anything else.
Format parseFormat(const std::string& text);

// A labelled image dataset held in memory as 8-bit pixels, planar per image (C x H x W),
// every image at the same size. Plain value type: safe to copy and to move between threads.
struct Dataset {
    std::string path;                 // what the user passed
    Format format = Format::Auto;     // the detected format, never Auto once loaded
    int channels = 0;                 // 1 (grey) or 3 (RGB), as the data has it
    int height = 0;
    int width = 0;
    std::vector<std::string> classNames;  // index = label
    std::vector<std::uint8_t> pixels;     // size() == count() * channels * height * width
    std::vector<int> labels;              // one per image, in [0, classNames.size())
    std::vector<std::string> warnings;    // non-fatal problems met while loading (skipped files)
    std::string fingerprint;              // see fingerprint.h

    std::size_t count() const { return labels.size(); }
    std::size_t imageBytes() const { return std::size_t(channels) * height * width; }
    const std::uint8_t* image(std::size_t i) const { return pixels.data() + i * imageBytes(); }
    std::vector<int> classCounts() const;
};

struct LoadOptions {
    Format format = Format::Auto;
    int imageSize = 0;  // resize every image to imageSize x imageSize; 0 keeps the native size
    // 0 keeps the native channels; 1 = grey (rounded channel mean), 3 = RGB (grey replicated).
    // Like the size, the conversion is part of the loaded dataset's fingerprint.
    int channels = 0;
};

// Loads a dataset, detecting the format when options.format is Auto:
//  - IDX: a folder holding *-images-idx3-ubyte[.gz] + matching *-labels-idx1-ubyte[.gz] pairs
//    (all pairs concatenated, e.g. train + t10k), or the path of one images file.
//  - Meta-Album: a folder with labels.csv (FILE_NAME, CATEGORY columns) and images/.
//  - ImageFolder: root/<class>/*.png|jpg|jpeg|bmp.
//  - CIFAR-10/100 binary: a folder with data_batch_*.bin / test_batch.bin (10) or train.bin /
//    test.bin (100, fine labels), or one such .bin file; batches.meta.txt / fine_label_names.txt
//    give class names when present.
// Throws wb::Error naming the file and the problem. A single undecodable image inside a folder
// format is skipped with a warning in Dataset::warnings.
Dataset loadDataset(const std::string& path, const LoadOptions& options = {});

} // namespace wb::data
