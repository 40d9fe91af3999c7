#include "wb/suite/suite.h"

#include "builders.h"

#include "wb/common/error.h"
#include "wb/suite/meta_album_writer.h"
#include "wb/suite/process.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace wb::suite {

namespace detail {

void BuildContext::useSource(SuiteDataset& dataset, const PackageFiles& package,
                             const std::string& role)
{
    dataset.sources.push_back(
        {package.name, package.version, package.kind, package.licences, role});
    if (package.licenceFile.empty()) return;
    std::ifstream in(package.root / package.licenceFile, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    licenceTexts.emplace_back(package.name, text.str());
}

} // namespace detail

namespace {

std::uintmax_t folderBytes(const fs::path& dir)
{
    std::uintmax_t total = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file()) total += entry.file_size();
    }
    return total;
}

// PNG bytes (not pixels) depend on the stb_image_write build the program links.
std::string pngEncoderVersion()
{
    for (const char* package : {"libstb0", "libstb0t64"}) {
        try {
            const ProcessResult query = runProcess({"dpkg-query", "-W", "-f=${Version}", package});
            if (query.exitCode == 0 && !query.output.empty())
                return "stb_image_write (Debian " + std::string(package) + " " + query.output + ")";
        } catch (const Error&) {
            break; // no dpkg-query: not a Debian system
        }
    }
    return "stb_image_write (version unknown)";
}

} // namespace

const std::vector<SuiteEntry>& suiteEntries()
{
    static const std::vector<SuiteEntry> entries = {
        {"FSH", "Fashion-MNIST clothing", "Debian dataset-fashion-mnist, 10 classes"},
        {"DIG", "Handwritten digits", "UCI optical digits in Debian python3-sklearn, 10 classes"},
        {"GRK", "Greek letters", "lowercase Greek in Debian fonts (FreeType)"},
        {"CYR", "Cyrillic letters", "uppercase Russian Cyrillic in Debian fonts (FreeType)"},
        {"ARB", "Arabic letters", "isolated Arabic letters in Debian fonts (FreeType)"},
        {"KAN", "Japanese kana", "hiragana and katakana in Debian fonts (FreeType)"},
        {"EMO", "Emoji subgroups", "unicode-data subgroups, colour and outline emoji fonts"},
        {"TEX", "GIMP textures", "random crops of gimp-data patterns"},
    };
    return entries;
}

fs::path defaultCacheDir()
{
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        return fs::path(xdg) / "supernet-workbench" / "suite";
    if (const char* home = std::getenv("HOME"); home && *home)
        return fs::path(home) / ".cache" / "supernet-workbench" / "suite";
    throw Error("no cache folder: set --cache, XDG_CACHE_HOME or HOME");
}

std::vector<DatasetOutcome> buildSuite(const SuiteOptions& options)
{
    if (options.outDir.empty()) throw Error("suite build: no output folder");
    std::vector<std::string> ids;
    for (const std::string& id : options.only) {
        const auto& entries = suiteEntries();
        if (std::none_of(entries.begin(), entries.end(),
                         [&](const SuiteEntry& e) { return e.id == id; })) {
            std::string known;
            for (const SuiteEntry& e : entries)
                known += (known.empty() ? "" : ", ") + e.id;
            throw Error("suite build: unknown dataset '" + id + "' (known: " + known + ")");
        }
    }
    for (const SuiteEntry& entry : suiteEntries()) {
        if (options.only.empty() ||
            std::find(options.only.begin(), options.only.end(), entry.id) != options.only.end())
            ids.push_back(entry.id);
    }
    const fs::path cacheDir = options.cacheDir.empty() ? defaultCacheDir() : options.cacheDir;
    try {
        fs::create_directories(options.outDir);
        fs::create_directories(cacheDir);
    } catch (const fs::filesystem_error& error) {
        throw Error(std::string("suite build: ") + error.what());
    }
    const auto log = [&](const std::string& line) {
        if (options.log) options.log(line);
    };
    log("suite: seed " + std::to_string(options.seed) + ", cache " + cacheDir.string() +
        ", output " + options.outDir.string());

    PackageCache cache(cacheDir, log);
    FontLibrary fonts;
    const std::string pngEncoder = pngEncoderVersion();
    std::vector<DatasetOutcome> outcomes;
    for (const std::string& id : ids) {
        DatasetOutcome outcome;
        outcome.id = id;
        if (options.control && options.control->stopRequested()) {
            outcome.message = "cancelled before it was built";
            log(id + ": SKIPPED, " + outcome.message);
            outcomes.push_back(std::move(outcome));
            continue;
        }
        log(id + ": building");
        const auto start = std::chrono::steady_clock::now();
        detail::BuildContext context{cache, fonts, options.seed, log, {}};
        try {
            SuiteDataset dataset;
            if (id == "FSH") {
                dataset = detail::buildFashionSet(context);
            } else if (id == "DIG") {
                dataset = detail::buildDigitSet(context);
            } else if (id == "EMO") {
                dataset = detail::buildEmojiSet(context);
            } else if (id == "TEX") {
                dataset = detail::buildTextureSet(context);
            } else {
                dataset = detail::buildGlyphSet(context, id);
            }
            dataset.parameters["png_encoder"] = pngEncoder;
            const fs::path folder = writeMetaAlbum(dataset, options.outDir, context.licenceTexts);
            outcome.written = true;
            outcome.classes = int(dataset.classes.size());
            outcome.imagesPerClass = dataset.requiredImagesPerClass;
            outcome.bytes = folderBytes(folder);
            outcome.message = "wrote " + folder.string();
        } catch (const Error& error) {
            outcome.message = error.what();
        } catch (const fs::filesystem_error& error) {
            outcome.message = id + ": " + error.what();
        }
        outcome.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        char timing[48];
        std::snprintf(timing, sizeof timing, " (%.1f s)", outcome.seconds);
        log(id +
            (outcome.written
                 ? ": " + std::to_string(outcome.classes) + " classes x " +
                       std::to_string(outcome.imagesPerClass) + " images, " + outcome.message
                 : ": SKIPPED, nothing written: " + outcome.message) +
            timing);
        outcomes.push_back(std::move(outcome));
    }
    return outcomes;
}

} // namespace wb::suite
