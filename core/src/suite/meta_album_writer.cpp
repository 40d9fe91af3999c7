#include "wb/suite/meta_album_writer.h"

#include "wb/common/csv.h"
#include "wb/common/error.h"
#include "wb/common/sha256.h"

#include <cstdio>
#include <fstream>
#include <set>

#include <unistd.h>

namespace fs = std::filesystem;

namespace wb::suite {

namespace {

using nlohmann::json;

void writeText(const fs::path& file, const std::string& text)
{
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw Error(file.string() + ": cannot write");
}

// Images of each class in file order: index c holds the positions in dataset.images.
std::vector<std::vector<std::size_t>> imagesByClass(const SuiteDataset& dataset)
{
    std::vector<std::vector<std::size_t>> byClass(dataset.classes.size());
    for (std::size_t i = 0; i < dataset.images.size(); ++i)
        byClass[std::size_t(dataset.images[i].classIndex)].push_back(i);
    return byClass;
}

json sourcesJson(const SuiteDataset& dataset)
{
    json sources = json::array();
    for (const SourcePackage& source : dataset.sources) {
        sources.push_back({{"package", source.name},
                           {"version", source.version},
                           {"kind", source.kind},
                           {"licences", source.licences},
                           {"role", source.role}});
    }
    return sources;
}

} // namespace

void validateComplete(const SuiteDataset& dataset)
{
    const std::string where = "dataset " + (dataset.id.empty() ? "(no id)" : dataset.id);
    if (dataset.id.empty() || dataset.id.find_first_of("/\\. ") != std::string::npos)
        throw Error(where + ": the id must be a plain folder name");
    if (int(dataset.classes.size()) != dataset.requiredClasses)
        throw Error(where + ": partial, " + std::to_string(dataset.classes.size()) + " of " +
                    std::to_string(dataset.requiredClasses) + " classes");
    std::set<std::string> names;
    for (const SuiteClass& c : dataset.classes) {
        if (c.name.empty() || c.superCategory.empty())
            throw Error(where + ": a class without a name or super category");
        if (!names.insert(c.name).second) throw Error(where + ": class '" + c.name + "' twice");
    }
    std::vector<int> counts(dataset.classes.size(), 0);
    for (const SuiteImage& image : dataset.images) {
        if (image.classIndex < 0 || image.classIndex >= int(dataset.classes.size()))
            throw Error(where + ": an image of class #" + std::to_string(image.classIndex) +
                        ", which does not exist");
        const Image& pixels = image.image;
        if (pixels.width != dataset.imageSize || pixels.height != dataset.imageSize ||
            pixels.channels != 3 ||
            pixels.pixels.size() != std::size_t(pixels.width) * pixels.height * 3)
            throw Error(where + ": an image of class '" +
                        dataset.classes[std::size_t(image.classIndex)].name + "' is not " +
                        std::to_string(dataset.imageSize) + "x" +
                        std::to_string(dataset.imageSize) + " RGB");
        ++counts[std::size_t(image.classIndex)];
    }
    for (std::size_t c = 0; c < counts.size(); ++c) {
        if (counts[c] != dataset.requiredImagesPerClass)
            throw Error(where + ": partial, class '" + dataset.classes[c].name + "' has " +
                        std::to_string(counts[c]) + " of " +
                        std::to_string(dataset.requiredImagesPerClass) + " images");
    }
}

std::string imageFileName(const std::string& id, int classIndex, int imageIndex)
{
    char text[64];
    std::snprintf(text, sizeof text, "_%02d_%02d.png", classIndex, imageIndex);
    return id + text;
}

std::vector<std::string> requiredInfoKeys()
{
    return {"id",         "name",       "description", "domain", "format",       "format_version",
            "image_size", "channels",   "seed",        "counts", "classes",      "sources",
            "licence",    "derivation", "parameters",  "images", "pixels_sha256"};
}

json infoJson(const SuiteDataset& dataset)
{
    const auto byClass = imagesByClass(dataset);
    json classes = json::array();
    json images = json::array();
    Sha256 pixels;
    for (std::size_t c = 0; c < dataset.classes.size(); ++c) {
        const SuiteClass& suiteClass = dataset.classes[c];
        json entry = suiteClass.details;
        entry["name"] = suiteClass.name;
        entry["super_category"] = suiteClass.superCategory;
        entry["images"] = byClass[c].size();
        classes.push_back(entry);
        for (std::size_t k = 0; k < byClass[c].size(); ++k) {
            const SuiteImage& image = dataset.images[byClass[c][k]];
            images.push_back({{"file", imageFileName(dataset.id, int(c), int(k))},
                              {"category", suiteClass.name},
                              {"source", image.source}});
            pixels.update(image.image.pixels.data(), image.image.pixels.size());
        }
    }
    json info = {
        {"id", dataset.id},
        {"name", dataset.name},
        {"description", dataset.description},
        {"domain", dataset.domain},
        {"format", "Meta-Album (labels.csv: FILE_NAME, CATEGORY, SUPER_CATEGORY; images/*.png)"},
        {"format_version", kSuiteFormatVersion},
        {"image_size", {dataset.imageSize, dataset.imageSize}},
        {"channels", 3},
        {"seed", dataset.seed},
        {"counts",
         {{"classes", dataset.classes.size()},
          {"images_per_class", dataset.requiredImagesPerClass},
          {"images", dataset.images.size()}}},
        {"classes", classes},
        {"sources", sourcesJson(dataset)},
        {"licence", dataset.licence},
        {"derivation", dataset.derivation},
        {"parameters", dataset.parameters},
        {"images", images},
        {"pixels_sha256", pixels.hexDigest()},
        {"attribution", "ATTRIBUTION.txt"},
    };
    if (!dataset.details.empty()) info["details"] = dataset.details;
    return info;
}

fs::path writeMetaAlbum(const SuiteDataset& dataset, const fs::path& suiteDir,
                        const std::vector<std::pair<std::string, std::string>>& extraLicenceTexts)
{
    validateComplete(dataset);
    const fs::path target = suiteDir / dataset.id;
    const fs::path temporary = suiteDir / (".tmp-" + dataset.id + "-" + std::to_string(getpid()));
    try {
        fs::create_directories(suiteDir);
        fs::remove_all(temporary);
        fs::create_directories(temporary / "images");

        std::string labels = "FILE_NAME,CATEGORY,SUPER_CATEGORY\n";
        const auto byClass = imagesByClass(dataset);
        for (std::size_t c = 0; c < byClass.size(); ++c) {
            const SuiteClass& suiteClass = dataset.classes[c];
            for (std::size_t k = 0; k < byClass[c].size(); ++k) {
                const std::string file = imageFileName(dataset.id, int(c), int(k));
                writePng(temporary / "images" / file, dataset.images[byClass[c][k]].image);
                labels += csvField(file) + "," + csvField(suiteClass.name) + "," +
                          csvField(suiteClass.superCategory) + "\n";
            }
        }
        writeText(temporary / "labels.csv", labels);
        writeText(temporary / "info.json", infoJson(dataset).dump(2) + "\n");

        std::string attribution = dataset.name + " (" + dataset.id +
                                  "), a dataset of the Supernet Workbench offline suite.\n\n" +
                                  dataset.derivation + "\n\nLicence: " + dataset.licence +
                                  "\n\nDerived from these packages:\n";
        for (const SourcePackage& source : dataset.sources) {
            std::string licences;
            for (const std::string& licence : source.licences)
                licences += (licences.empty() ? "" : ", ") + licence;
            attribution += "  " + source.name + " " + source.version + " (" + source.kind +
                           (licences.empty() ? "" : "; " + licences) + ")\n";
        }
        for (const auto& [package, text] : extraLicenceTexts)
            attribution += "\n---- " + package + " ----\n" + text + "\n";
        writeText(temporary / "ATTRIBUTION.txt", attribution);

        fs::remove_all(target);
        fs::rename(temporary, target);
    } catch (const fs::filesystem_error& error) {
        std::error_code ignored;
        fs::remove_all(temporary, ignored);
        throw Error(target.string() + ": cannot write the dataset (" + error.what() + ")");
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(temporary, ignored);
        throw;
    }
    return target;
}

} // namespace wb::suite
