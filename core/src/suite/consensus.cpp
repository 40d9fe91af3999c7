#include "wb/suite/consensus.h"

#include "wb/common/error.h"
#include "wb/common/sha256.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace wb::suite {

double normalizedCrossCorrelation(const Image& a, const Image& b)
{
    const Image greyA = toGrey(a);
    const Image greyB = toGrey(b);
    if (greyA.width != greyB.width || greyA.height != greyB.height)
        throw Error("normalizedCrossCorrelation: images differ in size");
    const std::size_t n = greyA.pixels.size();
    if (n == 0) return 0.0;
    double meanA = 0, meanB = 0;
    for (std::size_t i = 0; i < n; ++i) {
        meanA += 255 - greyA.pixels[i];
        meanB += 255 - greyB.pixels[i];
    }
    meanA /= double(n);
    meanB /= double(n);
    double cross = 0, varA = 0, varB = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double da = (255 - greyA.pixels[i]) - meanA;
        const double db = (255 - greyB.pixels[i]) - meanB;
        cross += da * db;
        varA += da * da;
        varB += db * db;
    }
    if (varA <= 0 || varB <= 0) return 0.0;
    return cross / std::sqrt(varA * varB);
}

Image medianImage(const std::vector<const Image*>& images)
{
    if (images.empty()) throw Error("medianImage: no images");
    std::vector<Image> greys;
    greys.reserve(images.size());
    for (const Image* image : images) {
        greys.push_back(toGrey(*image));
        if (greys.back().width != greys.front().width ||
            greys.back().height != greys.front().height)
            throw Error("medianImage: images differ in size");
    }
    Image median = Image::filled(greys.front().width, greys.front().height, 1, 0);
    std::vector<std::uint8_t> values(greys.size());
    for (std::size_t p = 0; p < median.pixels.size(); ++p) {
        for (std::size_t i = 0; i < greys.size(); ++i)
            values[i] = greys[i].pixels[p];
        const std::size_t middle = (values.size() - 1) / 2;
        std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(middle), values.end());
        median.pixels[p] = values[middle];
    }
    return median;
}

std::vector<FontVerdict> consensusFilter(const std::vector<std::vector<Image>>& renders,
                                         const ConsensusOptions& options)
{
    std::vector<FontVerdict> verdicts(renders.size());
    if (renders.empty()) return verdicts;
    const std::size_t classes = renders.front().size();
    for (const auto& fontRenders : renders) {
        if (fontRenders.size() != classes)
            throw Error("consensusFilter: every font needs one render per class");
    }

    std::map<std::string, int> firstWithDigest;
    for (std::size_t f = 0; f < renders.size(); ++f) {
        Sha256 digest;
        for (const Image& image : renders[f]) {
            const int header[3] = {image.width, image.height, image.channels};
            digest.update(header, sizeof header);
            digest.update(image.pixels.data(), image.pixels.size());
        }
        const auto [it, inserted] = firstWithDigest.emplace(digest.hexDigest(), int(f));
        if (!inserted) {
            verdicts[f].kept = false;
            verdicts[f].duplicateOf = it->second;
            verdicts[f].reason = "duplicate of font #" + std::to_string(it->second);
        }
    }

    for (int round = 0; round < std::max(1, options.rounds); ++round) {
        std::vector<Image> medians;
        for (std::size_t c = 0; c < classes; ++c) {
            std::vector<const Image*> kept;
            for (std::size_t f = 0; f < renders.size(); ++f) {
                if (verdicts[f].kept) kept.push_back(&renders[f][c]);
            }
            if (kept.empty()) return verdicts;
            medians.push_back(medianImage(kept));
        }
        bool changed = false;
        for (std::size_t f = 0; f < renders.size(); ++f) {
            FontVerdict& verdict = verdicts[f];
            if (!verdict.kept) continue;
            double sum = 0;
            verdict.minNcc = 2.0;
            for (std::size_t c = 0; c < classes; ++c) {
                const double ncc = normalizedCrossCorrelation(renders[f][c], medians[c]);
                sum += ncc;
                if (ncc < verdict.minNcc) {
                    verdict.minNcc = ncc;
                    verdict.worstClass = int(c);
                }
            }
            verdict.meanNcc = classes ? sum / double(classes) : 0.0;
            char text[160];
            if (verdict.meanNcc < options.minMeanNcc) {
                std::snprintf(text, sizeof text,
                              "disagrees with the consensus: mean NCC %.3f < %.2f", verdict.meanNcc,
                              options.minMeanNcc);
            } else if (verdict.minNcc < options.minClassNcc) {
                std::snprintf(text, sizeof text,
                              "disagrees with the consensus on class #%d: NCC %.3f < %.2f",
                              verdict.worstClass, verdict.minNcc, options.minClassNcc);
            } else {
                continue;
            }
            verdict.kept = false;
            verdict.reason = text;
            changed = true;
        }
        if (!changed) break;
    }
    return verdicts;
}

} // namespace wb::suite
