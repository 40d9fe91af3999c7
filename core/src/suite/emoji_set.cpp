// EMO: class = Unicode emoji subgroup (from unicode-data's emoji-test.txt), image = one emoji of
// that subgroup in one of the available font styles, colour composited on white.

#include "builders.h"

#include "wb/common/error.h"
#include "wb/common/sha256.h"
#include "wb/suite/rng.h"
#include "wb/suite/sources.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

namespace wb::suite::detail {

namespace {

// One emoji style: font files of one Debian package, the first that has a character draws it.
struct EmojiStyle {
    std::string package;
    std::vector<std::string> files; // relative to the package root
    std::string label;              // as recorded per image
};

const std::vector<EmojiStyle> kStyles = {
    {"fonts-noto-color-emoji",
     {"usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"},
     "Noto Color Emoji (colour)"},
    {"fonts-symbola",
     {"usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"},
     "Symbola (outline)"},
    // GNU Unifont: 16 px pixel-art glyphs as outlines; the upper file holds the emoji planes.
    {"fonts-unifont",
     {"usr/share/fonts/opentype/unifont/unifont_upper.otf",
      "usr/share/fonts/opentype/unifont/unifont.otf"},
     "GNU Unifont (pixel)"},
    {"fonts-noto-core",
     {"usr/share/fonts/truetype/noto/NotoSansSymbols2-Regular.ttf"},
     "Noto Sans Symbols 2 (outline)"},
    {"fonts-dejavu-core",
     {"usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"},
     "DejaVu Sans (outline)"},
};

const char* kEmojiTest = "usr/share/unicode/emoji/emoji-test.txt";

struct Render {
    int style = 0;
    std::size_t emoji = 0; // index into the emoji list
    Image image;
};

std::string readText(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(file.string() + ": cannot read");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

SuiteDataset buildEmojiSet(BuildContext& context)
{
    SuiteDataset dataset;
    dataset.id = "EMO";
    dataset.name = "Emoji subgroups";
    dataset.description = "Emoji pictograms grouped by their Unicode subgroup (animal-mammal, "
                          "food-fruit, transport-air, ...), in colour and outline styles.";
    dataset.domain = "pictograms (rendered artwork)";
    dataset.seed = context.seed;
    dataset.imageSize = kImageSize;
    dataset.requiredClasses = kClasses;
    dataset.requiredImagesPerClass = kImagesPerClass;

    const PackageFiles& unicode = context.cache.deb("unicode-data");
    context.useSource(dataset, unicode, "emoji list and subgroups (emoji-test.txt)");
    const std::filesystem::path testFile = unicode.root / kEmojiTest;
    if (!std::filesystem::is_regular_file(testFile))
        throw Error("EMO: unicode-data " + unicode.version + " has no " + kEmojiTest);

    // Single code point emoji only (a trailing VS16 aside): sequences (ZWJ, skin tones, flags,
    // keycaps) need text shaping, which plain FreeType does not do.
    struct Emoji {
        char32_t codepoint;
        std::string name, group, subgroup;
    };
    std::vector<Emoji> emoji;
    for (const EmojiEntry& entry : parseEmojiTest(readText(testFile), testFile.string())) {
        if (entry.status != "fully-qualified" || entry.group == "Component") continue;
        const std::u32string& cps = entry.codepoints;
        if (cps.size() == 1 || (cps.size() == 2 && cps[1] == 0xfe0f))
            emoji.push_back({cps[0], entry.name, entry.group, entry.subgroup});
    }

    std::vector<std::string> styleLabels;
    std::vector<Render> renders;
    std::vector<std::string> unavailable;
    GlyphOptions glyphOptions;
    glyphOptions.colour = true;
    for (const EmojiStyle& style : kStyles) {
        try {
            const PackageFiles& package = context.cache.deb(style.package);
            std::vector<std::unique_ptr<FontFace>> faces;
            for (const std::string& file : style.files)
                faces.push_back(std::make_unique<FontFace>(context.fonts, package.root / file));
            const int styleIndex = int(styleLabels.size());
            styleLabels.push_back(style.label);
            int count = 0;
            for (std::size_t e = 0; e < emoji.size(); ++e) {
                for (const auto& face : faces) {
                    if (!face->hasChar(emoji[e].codepoint)) continue;
                    std::optional<Image> image =
                        face->renderGlyph(emoji[e].codepoint, glyphOptions);
                    if (image) {
                        renders.push_back({styleIndex, e, std::move(*image)});
                        ++count;
                    }
                    break;
                }
            }
            context.useSource(dataset, package,
                              "style " + style.label + ": " + std::to_string(count) + " emoji");
            context.say("EMO: " + style.label + ": " + std::to_string(count) + " of " +
                        std::to_string(emoji.size()) + " emoji");
        } catch (const Error& error) {
            context.say("EMO: skipping style " + style.label + ": " + error.what());
            unavailable.push_back(style.label + ": " + error.what());
        }
    }
    if (styleLabels.empty()) throw Error("EMO: no emoji font could be read");

    // Subgroups in file order, each with its renders grouped by style; exact duplicate images
    // within a subgroup (one glyph mapped to two code points) count once.
    std::vector<std::string> subgroups;
    std::map<std::string, std::string> groupOf;
    std::map<std::string, std::vector<std::vector<std::size_t>>> bySubgroup;
    std::map<std::string, std::set<std::string>> digests;
    for (std::size_t r = 0; r < renders.size(); ++r) {
        const Emoji& e = emoji[renders[r].emoji];
        if (!bySubgroup.count(e.subgroup)) {
            bySubgroup[e.subgroup].resize(styleLabels.size());
            groupOf[e.subgroup] = e.group;
        }
        Sha256 digest;
        digest.update(renders[r].image.pixels.data(), renders[r].image.pixels.size());
        if (!digests[e.subgroup].insert(digest.hexDigest()).second) continue;
        bySubgroup[e.subgroup][std::size_t(renders[r].style)].push_back(r);
    }
    for (const Emoji& e : emoji) {
        if (bySubgroup.count(e.subgroup) &&
            std::find(subgroups.begin(), subgroups.end(), e.subgroup) == subgroups.end())
            subgroups.push_back(e.subgroup);
    }
    std::vector<std::string> eligible;
    nlohmann::json available = nlohmann::json::object();
    for (const std::string& subgroup : subgroups) {
        std::size_t total = 0;
        for (const auto& perStyle : bySubgroup[subgroup])
            total += perStyle.size();
        available[subgroup] = total;
        if (int(total) >= kImagesPerClass) eligible.push_back(subgroup);
    }
    context.say("EMO: " + std::to_string(emoji.size()) + " single code point emoji, " +
                std::to_string(renders.size()) + " renders, " + std::to_string(eligible.size()) +
                " of " + std::to_string(subgroups.size()) + " subgroups have " +
                std::to_string(kImagesPerClass) + " images");
    if (int(eligible.size()) < kClasses)
        throw Error("EMO: only " + std::to_string(eligible.size()) + " subgroups with " +
                    std::to_string(kImagesPerClass) + " emoji images, " + std::to_string(kClasses) +
                    " needed");

    SeededRng classRng(deriveSeed(context.seed, "EMO/classes"));
    for (const int index : chooseSorted(int(eligible.size()), kClasses, classRng)) {
        const std::string& subgroup = eligible[std::size_t(index)];
        const int c = int(dataset.classes.size());
        SuiteClass suiteClass;
        suiteClass.name = subgroup;
        suiteClass.superCategory = groupOf[subgroup];
        suiteClass.details = {{"available_images", available[subgroup]}};
        dataset.classes.push_back(suiteClass);
        const auto& perStyle = bySubgroup[subgroup];
        std::vector<int> sizes;
        for (const auto& list : perStyle)
            sizes.push_back(int(list.size()));
        // Round-robin over styles, so a class is not all one style when others have its emoji.
        SeededRng imageRng(deriveSeed(context.seed, "EMO/images/" + subgroup));
        for (const auto& [style, item] : pickRoundRobin(sizes, kImagesPerClass, imageRng)) {
            const Render& render = renders[perStyle[std::size_t(style)][std::size_t(item)]];
            const Emoji& e = emoji[render.emoji];
            dataset.images.push_back({c, render.image,
                                      codepointLabel(e.codepoint) + " " + e.name + ", " +
                                          styleLabels[std::size_t(render.style)]});
        }
    }

    dataset.licence = "Emoji artwork under the fonts' licences (Noto Color Emoji: SIL OFL 1.1; "
                      "Symbola: free use; GNU Unifont: GPL-2+ with font "
                      "exception / OFL; Noto Sans Symbols 2: OFL; DejaVu: Bitstream Vera "
                      "licence); emoji list from Unicode data (Unicode licence); see "
                      "ATTRIBUTION.txt";
    dataset.derivation =
        "Emoji of emoji-test.txt that are fully qualified single code points (sequences need "
        "shaping and are left out), grouped by subgroup; subgroups with at least " +
        std::to_string(kImagesPerClass) + " distinct (emoji, style) renders are eligible, and " +
        std::to_string(kClasses) + " are drawn by the seed. Per class, " +
        std::to_string(kImagesPerClass) +
        " renders are drawn round-robin over the styles. Colour glyphs are the colour font's "
        "largest bitmap strike (FT_LOAD_COLOR) composited on white; outline glyphs are rendered "
        "at " +
        std::to_string(glyphOptions.renderPixels) +
        " px, black on white. Each is cropped to its ink (alpha or coverage) box, padded to a "
        "white square with " +
        std::to_string(glyphOptions.margin) + " px margin and area-averaged to " +
        std::to_string(kImageSize) + "x" + std::to_string(kImageSize) + " RGB.";
    dataset.parameters = {{"freetype", context.fonts.version()},
                          {"render_pixels", glyphOptions.renderPixels},
                          {"output_size", glyphOptions.outputSize},
                          {"margin", glyphOptions.margin},
                          {"styles", styleLabels},
                          {"resampling", "integer area average"},
                          {"selection", "SplitMix64 streams 'EMO/classes' and "
                                        "'EMO/images/<subgroup>' (round-robin over styles)"}};
    dataset.details = {{"emoji_considered", emoji.size()},
                       {"images_available_per_subgroup", available},
                       {"unavailable_styles", unavailable}};
    return dataset;
}

} // namespace wb::suite::detail
