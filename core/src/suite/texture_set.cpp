// TEX: class = GIMP pattern (Debian gimp-data), image = a random crop of the tiled pattern.

#include "builders.h"

#include "wb/common/error.h"
#include "wb/common/sha256.h"
#include "wb/suite/rng.h"
#include "wb/suite/sources.h"

#include <algorithm>
#include <set>

namespace wb::suite::detail {

namespace {

const char* kPatternDir = "usr/share/gimp/2.0/patterns/";
// Crop side in pattern pixels: from the output size (native scale) up to twice it, never more
// than the pattern's smaller side unless that is below the output size (then the tile wraps).
constexpr int kMinCrop = kImageSize;
constexpr int kMaxCrop = 2 * kImageSize;
// Draws per pattern before giving up on finding enough distinct crops (stripes and small
// repeating tiles have few).
constexpr int kMaxDraws = 400;

struct PatternClass {
    std::string file;
    std::string folder;
    GimpPattern pattern;
    std::vector<std::pair<Image, std::string>> crops; // image, how it was cut
};

// A side x side crop at (x0, y0) of the pattern repeated in both directions, area-resized.
Image tiledCrop(const Image& tile, int x0, int y0, int side)
{
    Image crop = Image::filled(side, side, 3, 0);
    for (int y = 0; y < side; ++y) {
        for (int x = 0; x < side; ++x)
            std::copy_n(tile.at((x0 + x) % tile.width, (y0 + y) % tile.height), 3, crop.at(x, y));
    }
    return areaResize(crop, kImageSize, kImageSize);
}

} // namespace

SuiteDataset buildTextureSet(BuildContext& context)
{
    SuiteDataset dataset;
    dataset.id = "TEX";
    dataset.name = "GIMP textures";
    dataset.description = "Random crops of GIMP's tileable patterns (stone, wood, fabric, "
                          "water, ...); one pattern per class.";
    dataset.domain = "textures";
    dataset.seed = context.seed;
    dataset.imageSize = kImageSize;
    dataset.requiredClasses = kClasses;
    dataset.requiredImagesPerClass = kImagesPerClass;

    const PackageFiles& package = context.cache.deb("gimp-data");
    context.useSource(dataset, package, "patterns (.pat)");

    std::vector<PatternClass> eligible;
    nlohmann::json skipped = nlohmann::json::array();
    std::set<std::string> names;
    for (const std::string& file : package.files) {
        if (!file.starts_with(kPatternDir) || !file.ends_with(".pat")) continue;
        const std::string relative = file.substr(std::string(kPatternDir).size());
        PatternClass candidate;
        candidate.file = relative;
        const auto slash = relative.find('/');
        candidate.folder = slash == std::string::npos ? "Other" : relative.substr(0, slash);
        try {
            candidate.pattern = readGimpPattern(package.root / file);
        } catch (const Error& error) {
            context.say(std::string("TEX: skipping pattern: ") + error.what());
            skipped.push_back({{"file", relative}, {"reason", error.what()}});
            continue;
        }
        if (candidate.pattern.name.empty() || !names.insert(candidate.pattern.name).second)
            candidate.pattern.name += " (" + relative + ")";

        const Image& tile = candidate.pattern.image;
        const int maxSide = std::max(kMinCrop, std::min({kMaxCrop, tile.width, tile.height}));
        SeededRng rng(deriveSeed(context.seed, "TEX/crops/" + relative));
        std::set<std::string> seen;
        for (int draw = 0; draw < kMaxDraws && int(candidate.crops.size()) < kImagesPerClass;
             ++draw) {
            const int side = rng.between(kMinCrop, maxSide);
            const int x0 = int(rng.below(std::uint64_t(tile.width)));
            const int y0 = int(rng.below(std::uint64_t(tile.height)));
            Image crop = tiledCrop(tile, x0, y0, side);
            Sha256 digest;
            digest.update(crop.pixels.data(), crop.pixels.size());
            if (!seen.insert(digest.hexDigest()).second) continue;
            candidate.crops.emplace_back(std::move(crop),
                                         relative + " crop " + std::to_string(side) + "px at (" +
                                             std::to_string(x0) + "," + std::to_string(y0) + ")");
        }
        if (int(candidate.crops.size()) < kImagesPerClass) {
            skipped.push_back(
                {{"file", relative},
                 {"reason", "only " + std::to_string(candidate.crops.size()) + " distinct crops"}});
            continue;
        }
        eligible.push_back(std::move(candidate));
    }
    context.say("TEX: " + std::to_string(eligible.size()) + " patterns with " +
                std::to_string(kImagesPerClass) + " distinct crops");
    if (int(eligible.size()) < kClasses)
        throw Error("TEX: only " + std::to_string(eligible.size()) + " usable patterns in " +
                    package.name + " " + package.version + ", " + std::to_string(kClasses) +
                    " needed");

    SeededRng classRng(deriveSeed(context.seed, "TEX/classes"));
    nlohmann::json patterns = nlohmann::json::array();
    for (const int index : chooseSorted(int(eligible.size()), kClasses, classRng)) {
        PatternClass& chosen = eligible[std::size_t(index)];
        const int c = int(dataset.classes.size());
        SuiteClass suiteClass;
        suiteClass.name = chosen.pattern.name;
        suiteClass.superCategory = chosen.folder;
        suiteClass.details = {
            {"file", chosen.file},
            {"pattern_size", {chosen.pattern.image.width, chosen.pattern.image.height}}};
        dataset.classes.push_back(suiteClass);
        for (auto& [image, how] : chosen.crops)
            dataset.images.push_back({c, std::move(image), how});
    }
    dataset.licence = "GIMP patterns, GPL-3+ (gimp-data); see ATTRIBUTION.txt";
    dataset.derivation =
        "Every .pat under /" + std::string(kPatternDir) +
        " is a candidate class (its folder is the super category); alpha is composited on "
        "white. Per pattern, square crops are drawn by the seed: side uniform in [" +
        std::to_string(kMinCrop) + ", min(" + std::to_string(kMaxCrop) +
        ", pattern side)] (the tile wraps, so small patterns give whole crops), offset uniform "
        "over the tile, area-averaged to " +
        std::to_string(kImageSize) + "x" + std::to_string(kImageSize) +
        "; exact duplicate crops are redrawn. Patterns without " + std::to_string(kImagesPerClass) +
        " distinct crops in " + std::to_string(kMaxDraws) + " draws are not eligible. " +
        std::to_string(kClasses) + " eligible patterns are drawn by the seed.";
    dataset.parameters = {{"min_crop", kMinCrop},
                          {"max_crop", kMaxCrop},
                          {"max_draws", kMaxDraws},
                          {"resampling", "integer area average"},
                          {"selection", "SplitMix64 streams 'TEX/classes' and "
                                        "'TEX/crops/<pattern file>'"}};
    dataset.details = {{"eligible_patterns", eligible.size()}, {"not_eligible", skipped}};
    return dataset;
}

} // namespace wb::suite::detail
