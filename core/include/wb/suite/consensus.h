#pragma once

#include "wb/suite/image.h"

#include <string>
#include <vector>

namespace wb::suite {

// Zero-mean normalised cross-correlation of two equally sized images, on their ink (255 - grey):
//   NCC(a, b) = sum((a - mean a)(b - mean b)) / sqrt(sum((a - mean a)^2) sum((b - mean b)^2)),
// in [-1, 1]; 0 when either image is uniform. Colour images are compared through their grey.
double normalizedCrossCorrelation(const Image& a, const Image& b);

// Per-pixel median of equally sized images (grey; the lower median for an even count).
Image medianImage(const std::vector<const Image*>& images);

// Thresholds of the font consensus filter (see ../shared/docs/data.md: legacy-encoded and
// decorative fonts disagree with the median rendering of the other fonts).
struct ConsensusOptions {
    double minMeanNcc = 0.5;  // a font's mean NCC with the per-class medians, below: dropped
    double minClassNcc = 0.2; // a font's NCC on any single class, below: dropped (one wrong
                              // glyph, e.g. a character mapped to another letter's shape)
    int rounds = 2;           // medians recomputed from the survivors this many times in all
};

// What the filter decided for one font.
struct FontVerdict {
    bool kept = true;
    std::string reason;   // why it was dropped; empty when kept
    int duplicateOf = -1; // index of the earlier font with identical renders
    double meanNcc = 0.0; // against the last medians it was compared with
    double minNcc = 0.0;
    int worstClass = -1; // class index of minNcc
};

// renders[font][class]: every font's render of every class, all the same size. Drops exact
// duplicates first (a font whose renders equal an earlier font's, e.g. one font packaged twice),
// then, for `rounds` rounds, fonts whose renders disagree with the per-class median of the fonts
// still kept. Fonts are considered in the given order, so the first of a duplicate pair stays.
std::vector<FontVerdict> consensusFilter(const std::vector<std::vector<Image>>& renders,
                                         const ConsensusOptions& options = {});

} // namespace wb::suite
