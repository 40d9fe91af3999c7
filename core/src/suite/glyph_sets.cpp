// GRK, CYR, ARB, KAN: class = character, image = that character in one font (Omniglot style),
// rendered with FreeType from Debian font packages and filtered by consensus.

#include "builders.h"

#include "wb/common/error.h"
#include "wb/suite/consensus.h"
#include "wb/suite/rng.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <memory>

namespace wb::suite::detail {

namespace {

struct GlyphClassSpec {
    char32_t codepoint;
    std::string name;
    std::string superCategory;
};

struct GlyphSetSpec {
    std::string id;
    std::string name;
    std::string description;
    std::vector<GlyphClassSpec> pool;
    std::vector<std::string> packages; // scanned in this order (it decides which of two
                                       // duplicate fonts is kept)
};

// Packages with Latin-Greek-Cyrillic fonts of distinct designs (sans, serif, mono, display).
const std::vector<std::string> kEuropeanFontPackages = {"fonts-dejavu-core",
                                                        "fonts-dejavu-extra",
                                                        "fonts-freefont-ttf",
                                                        "fonts-liberation2",
                                                        "fonts-noto-core",
                                                        "fonts-noto-mono",
                                                        "fonts-cmu",
                                                        "fonts-linuxlibertine",
                                                        "fonts-open-sans",
                                                        "fonts-roboto-unhinted",
                                                        "fonts-stix",
                                                        "fonts-ebgaramond",
                                                        "fonts-crosextra-carlito",
                                                        "fonts-hack",
                                                        "fonts-inter"};

GlyphSetSpec greekSpec()
{
    GlyphSetSpec spec{
        "GRK", "Greek letters", "Lowercase Greek letters, each rendered in many fonts.", {}, {}};
    const char* names[] = {"alpha",   "beta", "gamma", "delta",       "epsilon", "zeta", "eta",
                           "theta",   "iota", "kappa", "lambda",      "mu",      "nu",   "xi",
                           "omicron", "pi",   "rho",   "final sigma", "sigma",   "tau",  "upsilon",
                           "phi",     "chi",  "psi",   "omega"};
    const std::u32string vowels = U"αεηιουω";
    for (char32_t cp = U'α'; cp <= U'ω'; ++cp) {
        spec.pool.push_back({cp, names[cp - U'α'],
                             vowels.find(cp) != std::u32string::npos ? "vowel" : "consonant"});
    }
    spec.packages = kEuropeanFontPackages;
    for (const char* extra : {"fonts-gfs-neohellenic", "fonts-gfs-artemisia", "fonts-gfs-didot"})
        spec.packages.push_back(extra);
    return spec;
}

GlyphSetSpec cyrillicSpec()
{
    GlyphSetSpec spec{"CYR",
                      "Cyrillic letters",
                      "Uppercase Russian Cyrillic letters, each rendered in many fonts.",
                      {},
                      {}};
    const char* names[] = {"a",   "be",      "ve",        "ghe",  "de",        "ie", "zhe", "ze",
                           "i",   "short i", "ka",        "el",   "em",        "en", "o",   "pe",
                           "er",  "es",      "te",        "u",    "ef",        "ha", "tse", "che",
                           "sha", "shcha",   "hard sign", "yeru", "soft sign", "e",  "yu",  "ya"};
    const std::u32string vowels = U"АЕИОУЫЭЮЯЁ";
    const auto kind = [&](char32_t cp) {
        if (cp == U'Ъ' || cp == U'Ь') return "sign";
        return vowels.find(cp) != std::u32string::npos ? "vowel" : "consonant";
    };
    for (char32_t cp = U'А'; cp <= U'Я'; ++cp)
        spec.pool.push_back({cp, names[cp - U'А'], kind(cp)});
    spec.pool.push_back({U'Ё', "io", kind(U'Ё')});
    spec.packages = kEuropeanFontPackages;
    spec.packages.push_back("fonts-paratype");
    return spec;
}

GlyphSetSpec arabicSpec()
{
    GlyphSetSpec spec{"ARB",
                      "Arabic letters",
                      "Arabic letters in their isolated forms, each rendered in many fonts.",
                      {},
                      {}};
    const std::vector<std::pair<char32_t, const char*>> letters = {
        {U'ا', "alef"}, {U'ب', "beh"},  {U'ت', "teh"},   {U'ث', "theh"},  {U'ج', "jeem"},
        {U'ح', "hah"},  {U'خ', "khah"}, {U'د', "dal"},   {U'ذ', "thal"},  {U'ر', "reh"},
        {U'ز', "zain"}, {U'س', "seen"}, {U'ش', "sheen"}, {U'ص', "sad"},   {U'ض', "dad"},
        {U'ط', "tah"},  {U'ظ', "zah"},  {U'ع', "ain"},   {U'غ', "ghain"}, {U'ف', "feh"},
        {U'ق', "qaf"},  {U'ك', "kaf"},  {U'ل', "lam"},   {U'م', "meem"},  {U'ن', "noon"},
        {U'ه', "heh"},  {U'و', "waw"},  {U'ي', "yeh"}};
    for (const auto& [cp, name] : letters)
        spec.pool.push_back({cp, name, "letter"});
    const std::vector<std::pair<char32_t, const char*>> variants = {{U'ء', "hamza"},
                                                                    {U'آ', "alef with madda above"},
                                                                    {U'أ', "alef with hamza above"},
                                                                    {U'ؤ', "waw with hamza above"},
                                                                    {U'إ', "alef with hamza below"},
                                                                    {U'ئ', "yeh with hamza above"},
                                                                    {U'ة', "teh marbuta"},
                                                                    {U'ى', "alef maksura"}};
    for (const auto& [cp, name] : variants)
        spec.pool.push_back({cp, name, "hamza or variant form"});
    spec.packages = {"fonts-dejavu-core", "fonts-dejavu-extra",  "fonts-freefont-ttf",
                     "fonts-noto-core",   "fonts-kacst",         "fonts-kacst-one",
                     "fonts-arabeyes",    "fonts-hosny-amiri",   "fonts-sil-scheherazade",
                     "fonts-sil-lateef",  "fonts-sil-harmattan", "fonts-farsiweb",
                     "fonts-hosny-thabit"};
    return spec;
}

GlyphSetSpec kanaSpec()
{
    GlyphSetSpec spec{"KAN",
                      "Japanese kana",
                      "Basic hiragana and katakana, each rendered in many fonts.",
                      {},
                      {}};
    const std::vector<std::pair<char32_t, const char*>> hiragana = {
        {U'あ', "a"},  {U'い', "i"},  {U'う', "u"},  {U'え', "e"},  {U'お', "o"},   {U'か', "ka"},
        {U'き', "ki"}, {U'く', "ku"}, {U'け', "ke"}, {U'こ', "ko"}, {U'さ', "sa"},  {U'し', "shi"},
        {U'す', "su"}, {U'せ', "se"}, {U'そ', "so"}, {U'た', "ta"}, {U'ち', "chi"}, {U'つ', "tsu"},
        {U'て', "te"}, {U'と', "to"}, {U'な', "na"}, {U'に', "ni"}, {U'ぬ', "nu"},  {U'ね', "ne"},
        {U'の', "no"}, {U'は', "ha"}, {U'ひ', "hi"}, {U'ふ', "fu"}, {U'へ', "he"},  {U'ほ', "ho"},
        {U'ま', "ma"}, {U'み', "mi"}, {U'む', "mu"}, {U'め', "me"}, {U'も', "mo"},  {U'や', "ya"},
        {U'ゆ', "yu"}, {U'よ', "yo"}, {U'ら', "ra"}, {U'り', "ri"}, {U'る', "ru"},  {U'れ', "re"},
        {U'ろ', "ro"}, {U'わ', "wa"}, {U'を', "wo"}, {U'ん', "n"}};
    for (const auto& [cp, name] : hiragana)
        spec.pool.push_back({cp, std::string("hiragana ") + name, "hiragana"});
    for (const auto& [cp, name] : hiragana) {
        // Katakana HE is the same shape as hiragana HE: two classes would be label noise.
        if (cp == U'へ') continue;
        // Each basic katakana sits 0x60 above its hiragana.
        spec.pool.push_back({cp + 0x60, std::string("katakana ") + name, "katakana"});
    }
    spec.packages = {"fonts-ipafont-gothic", "fonts-ipafont-mincho", "fonts-ipaexfont-gothic",
                     "fonts-ipaexfont-mincho", "fonts-vlgothic", "fonts-mplus",
                     "fonts-horai-umefont", "fonts-konatu", "fonts-komatuna",
                     "fonts-motoya-l-cedar", "fonts-motoya-l-maruberi", "fonts-sawarabi-gothic",
                     "fonts-wqy-microhei", "fonts-droid-fallback", "fonts-morisawa-bizud-gothic",
                     "fonts-morisawa-bizud-mincho",
                     // Chinese and Korean fonts carry kana too, in their own designs (kaishu
                     // brush, Ming serif, Korean handwriting); Seto and Aoyagi Soseki are
                     // handwritten and brush Japanese.
                     "fonts-arphic-ukai", "fonts-arphic-uming", "fonts-wqy-zenhei",
                     "fonts-unfonts-core", "fonts-nanum", "fonts-seto", "fonts-aoyagi-soseki"};
    return spec;
}

GlyphSetSpec specFor(const std::string& id)
{
    if (id == "GRK") return greekSpec();
    if (id == "CYR") return cyrillicSpec();
    if (id == "ARB") return arabicSpec();
    if (id == "KAN") return kanaSpec();
    throw Error("no glyph set " + id);
}

bool isFontFile(const std::string& path)
{
    std::string lower = path;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return lower.ends_with(".ttf") || lower.ends_with(".otf") || lower.ends_with(".ttc") ||
           lower.ends_with(".otc");
}

// One face of one font file and what became of it.
struct FontCandidate {
    std::string package;
    std::string file; // relative to the package root
    int face = 0;
    std::string family;
    std::string style;
    std::string status; // "selected", "kept" (passed, not drawn), "dropped"
    std::string reason;
    double meanNcc = 0.0;
    std::vector<Image> renders; // one per chosen class, while it is still a candidate

    std::string label() const
    {
        return package + ":" + file + (face > 0 ? "#" + std::to_string(face) : "");
    }
};

} // namespace

SuiteDataset buildGlyphSet(BuildContext& context, const std::string& id)
{
    const GlyphSetSpec spec = specFor(id);
    SuiteDataset dataset;
    dataset.id = spec.id;
    dataset.name = spec.name;
    dataset.description = spec.description;
    dataset.domain = "glyphs (rendered type)";
    dataset.seed = context.seed;
    dataset.imageSize = kImageSize;
    dataset.requiredClasses = kClasses;
    dataset.requiredImagesPerClass = kImagesPerClass;

    SeededRng classRng(deriveSeed(context.seed, id + "/classes"));
    std::vector<GlyphClassSpec> classes;
    for (const int index : chooseSorted(int(spec.pool.size()), kClasses, classRng))
        classes.push_back(spec.pool[std::size_t(index)]);

    const GlyphOptions glyphOptions; // 128 px render, 32 px output, 2 px margin, no colour
    std::vector<FontCandidate> candidates;
    std::vector<std::string> unavailable;
    std::map<std::string, int> packageFonts; // fonts scanned per package
    for (const std::string& name : spec.packages) {
        const PackageFiles* package = nullptr;
        try {
            package = &context.cache.deb(name);
        } catch (const Error& error) {
            context.say(id + ": skipping font package " + name + ": " + error.what());
            unavailable.push_back(name + ": " + error.what());
            continue;
        }
        packageFonts[name] = 0;
        for (const std::string& file : package->files) {
            if (!isFontFile(file)) continue;
            int faces = 1;
            try {
                faces = FontFace::faceCount(context.fonts, package->root / file);
            } catch (const Error& error) {
                context.say(id + ": skipping unreadable font " + error.what());
                candidates.push_back({name, file, 0, "", "", "dropped", error.what(), 0.0, {}});
                continue;
            }
            for (int face = 0; face < faces; ++face) {
                FontCandidate candidate{name, file, face, "", "", "dropped", "", 0.0, {}};
                ++packageFonts[name];
                try {
                    FontFace font(context.fonts, package->root / file, face);
                    candidate.family = font.family();
                    candidate.style = font.style();
                    if (!font.isScalable()) {
                        candidate.reason = "bitmap-only font";
                    } else {
                        for (const GlyphClassSpec& c : classes) {
                            if (!font.hasChar(c.codepoint)) {
                                candidate.reason = "lacks " + codepointLabel(c.codepoint);
                                break;
                            }
                            std::optional<Image> image =
                                font.renderGlyph(c.codepoint, glyphOptions);
                            if (!image) {
                                candidate.reason = "blank glyph for " + codepointLabel(c.codepoint);
                                break;
                            }
                            candidate.renders.push_back(std::move(*image));
                        }
                    }
                } catch (const Error& error) {
                    context.say(id + ": skipping font: " + error.what());
                    candidate.reason = error.what();
                }
                if (candidate.reason.empty()) {
                    candidate.status = "kept";
                } else {
                    candidate.renders.clear();
                }
                candidates.push_back(std::move(candidate));
            }
        }
        context.useSource(dataset, *package, "fonts");
    }

    // Consensus over the fonts that have every class.
    std::vector<std::size_t> complete;
    std::vector<std::vector<Image>> renders;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (candidates[i].status != "kept") continue;
        complete.push_back(i);
        renders.push_back(candidates[i].renders);
    }
    const ConsensusOptions consensus;
    const std::vector<FontVerdict> verdicts = consensusFilter(renders, consensus);
    std::vector<std::size_t> survivors;
    int duplicates = 0, disagreeing = 0;
    for (std::size_t k = 0; k < complete.size(); ++k) {
        FontCandidate& candidate = candidates[complete[k]];
        candidate.meanNcc = verdicts[k].meanNcc;
        if (verdicts[k].kept) {
            survivors.push_back(complete[k]);
            continue;
        }
        candidate.status = "dropped";
        if (verdicts[k].duplicateOf >= 0) {
            ++duplicates;
            candidate.reason = "duplicate renders of " +
                               candidates[complete[std::size_t(verdicts[k].duplicateOf)]].label();
        } else {
            ++disagreeing;
            candidate.reason = verdicts[k].reason;
            if (verdicts[k].worstClass >= 0 &&
                candidate.reason.find("on class") != std::string::npos)
                candidate.reason += " (" + classes[std::size_t(verdicts[k].worstClass)].name + ")";
        }
        candidate.renders.clear();
    }
    context.say(id + ": " + std::to_string(candidates.size()) + " font faces scanned, " +
                std::to_string(complete.size()) + " cover the " + std::to_string(kClasses) +
                " classes, " + std::to_string(duplicates) + " duplicates and " +
                std::to_string(disagreeing) + " disagreeing dropped, " +
                std::to_string(survivors.size()) + " usable");
    if (int(survivors.size()) < kImagesPerClass)
        throw Error(id + ": only " + std::to_string(survivors.size()) + " usable fonts, " +
                    std::to_string(kImagesPerClass) + " needed");

    // One image per font and class; fonts drawn round-robin across families for variety.
    std::map<std::string, std::vector<std::size_t>> families;
    for (const std::size_t i : survivors)
        families[candidates[i].family].push_back(i);
    std::vector<std::vector<std::size_t>> groups;
    std::vector<int> groupSizes;
    for (auto& [family, members] : families) {
        groups.push_back(members);
        groupSizes.push_back(int(members.size()));
    }
    SeededRng fontRng(deriveSeed(context.seed, id + "/fonts"));
    std::vector<std::size_t> selected;
    for (const auto& [group, item] : pickRoundRobin(groupSizes, kImagesPerClass, fontRng))
        selected.push_back(groups[std::size_t(group)][std::size_t(item)]);
    for (const std::size_t i : selected)
        candidates[i].status = "selected";

    for (std::size_t c = 0; c < classes.size(); ++c) {
        SuiteClass suiteClass;
        suiteClass.name = classes[c].name;
        suiteClass.superCategory = classes[c].superCategory;
        suiteClass.details = {{"codepoint", codepointLabel(classes[c].codepoint)},
                              {"character", encodeUtf8(classes[c].codepoint)}};
        dataset.classes.push_back(suiteClass);
        for (const std::size_t i : selected) {
            dataset.images.push_back({int(c), candidates[i].renders[c],
                                      candidates[i].label() + " (" + candidates[i].family + " " +
                                          candidates[i].style + ")"});
        }
    }

    // Only the packages that gave a selected font are attributed in full.
    std::vector<std::pair<std::string, std::string>> attributed;
    for (const auto& [package, text] : context.licenceTexts) {
        if (std::any_of(selected.begin(), selected.end(),
                        [&](std::size_t i) { return candidates[i].package == package; }))
            attributed.emplace_back(package, text);
    }
    context.licenceTexts = attributed;
    for (SourcePackage& source : dataset.sources) {
        const auto count = std::count_if(selected.begin(), selected.end(), [&](std::size_t i) {
            return candidates[i].package == source.name;
        });
        source.role = "fonts: " + std::to_string(packageFonts[source.name]) + " faces scanned, " +
                      std::to_string(count) + " selected";
    }

    nlohmann::json fonts = nlohmann::json::array();
    for (const FontCandidate& candidate : candidates) {
        nlohmann::json entry = {{"font", candidate.label()},
                                {"family", candidate.family},
                                {"style", candidate.style},
                                {"status", candidate.status}};
        if (!candidate.reason.empty()) entry["reason"] = candidate.reason;
        if (candidate.meanNcc != 0.0)
            entry["mean_ncc"] = std::round(candidate.meanNcc * 1000.0) / 1000.0;
        fonts.push_back(entry);
    }
    dataset.details = {{"fonts", fonts}, {"unavailable_packages", unavailable}};
    dataset.licence = "Rendered from fonts under their own licences (mostly SIL OFL 1.1, GPL with "
                      "font exception, or permissive); see sources and ATTRIBUTION.txt";
    dataset.derivation =
        std::to_string(kClasses) + " characters drawn by the seed from a pool of " +
        std::to_string(spec.pool.size()) +
        ". Every face of every font file in the listed packages is tried: fonts without a "
        "Unicode charmap, bitmap-only fonts, fonts lacking any class character or with a blank "
        "glyph are dropped, then exact duplicate renders, then fonts disagreeing with the "
        "per-class median render (consensus filter). From the rest, " +
        std::to_string(kImagesPerClass) +
        " fonts are drawn by the seed round-robin across font families; image k of every class "
        "is the same font. Each glyph is rendered with FreeType at " +
        std::to_string(glyphOptions.renderPixels) +
        " px (grey antialiasing, no hinting, outlines only), cropped to its ink box, padded to a "
        "white square leaving " +
        std::to_string(glyphOptions.margin) + " px margin, area-averaged down to " +
        std::to_string(kImageSize) + "x" + std::to_string(kImageSize) +
        ", black on white, stored as RGB.";
    dataset.parameters = {{"freetype", context.fonts.version()},
                          {"render_pixels", glyphOptions.renderPixels},
                          {"output_size", glyphOptions.outputSize},
                          {"margin", glyphOptions.margin},
                          {"load_flags", "FT_LOAD_RENDER | FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP"},
                          {"resampling", "integer area average"},
                          {"consensus",
                           {{"min_mean_ncc", consensus.minMeanNcc},
                            {"min_class_ncc", consensus.minClassNcc},
                            {"rounds", consensus.rounds}}},
                          {"class_pool", spec.pool.size()},
                          {"packages", spec.packages},
                          {"selection", "SplitMix64 streams '" + id + "/classes' and '" + id +
                                            "/fonts' (round-robin over families)"}};
    return dataset;
}

} // namespace wb::suite::detail
