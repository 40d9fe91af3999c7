#pragma once

// Internal: the dataset builders of the offline suite and what they share.

#include "wb/suite/glyph_render.h"
#include "wb/suite/package_cache.h"
#include "wb/suite/suite_dataset.h"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace wb::suite::detail {

// Suite-wide sizes (issue 5): 32x32 RGB, 20 classes x 40 images, 10 classes for digits/clothing.
constexpr int kImageSize = 32;
constexpr int kClasses = 20;
constexpr int kImagesPerClass = 40;

// What one builder works with; owned by buildSuite, used on its thread.
struct BuildContext {
    PackageCache& cache;
    FontLibrary& fonts;
    std::uint64_t seed;
    std::function<void(const std::string&)> log;
    // (package, copyright text) of the packages the dataset uses, for ATTRIBUTION.txt.
    std::vector<std::pair<std::string, std::string>> licenceTexts;

    void say(const std::string& line) const
    {
        if (log) log(line);
    }
    // Records the package in dataset.sources and its copyright text for the attribution file.
    void useSource(SuiteDataset& dataset, const PackageFiles& package, const std::string& role);
};

// Each throws wb::Error with a message when its sources are missing or the result would be
// partial; nothing is written then.
SuiteDataset buildFashionSet(BuildContext& context);                      // FSH
SuiteDataset buildDigitSet(BuildContext& context);                        // DIG
SuiteDataset buildGlyphSet(BuildContext& context, const std::string& id); // GRK, CYR, ARB, KAN
SuiteDataset buildEmojiSet(BuildContext& context);                        // EMO
SuiteDataset buildTextureSet(BuildContext& context);                      // TEX

} // namespace wb::suite::detail
