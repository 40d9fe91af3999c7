#include "data/loaders.h"

#include "data/csv_reader.h"
#include "data/file_io.h"
#include "data/image_collector.h"
#include "data/image_decode.h"
#include "wb/common/error.h"

#include <algorithm>
#include <map>

namespace fs = std::filesystem;

namespace wb::data {

namespace {

std::string trimmed(const std::string& text)
{
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::size_t findColumn(const CsvRecord& header, const std::string& column,
                       const fs::path& labelsFile)
{
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
        if (toLowerAscii(trimmed(header.fields[i])) == toLowerAscii(column)) return i;
    }
    std::string names;
    for (const std::string& field : header.fields)
        names += (names.empty() ? "" : ", ") + field;
    throw Error(labelsFile.string() + ": missing column " + column + " (header has: " + names +
                ")");
}

struct Entry {
    int line = 0;
    std::string fileName;
    std::string category;
};

// A FILE_NAME that is absolute or climbs out with ".." would make a dataset read any file.
bool staysInside(const fs::path& fileName)
{
    if (fileName.is_absolute() || fileName.has_root_name() || fileName.has_root_directory())
        return false;
    for (const auto& part : fileName)
        if (part == "..") return false;
    return true;
}

} // namespace

bool looksLikeMetaAlbum(const fs::path& path)
{
    // labels.csv of any kind: a folder of that name is a broken Meta-Album dataset to report,
    // not an image-folder class.
    return fs::exists(path / "labels.csv") && fs::is_directory(path / "images");
}

Dataset loadMetaAlbum(const fs::path& path, const LoadOptions& options)
{
    if (!fs::is_directory(path)) {
        throw Error(path.string() +
                    ": not a folder (a Meta-Album folder holds labels.csv and images/)");
    }
    const fs::path labelsFile = path / "labels.csv";
    const fs::path imagesDir = path / "images";
    if (!fs::is_regular_file(labelsFile)) {
        throw Error(
            labelsFile.string() +
            (fs::exists(labelsFile) ? ": not a regular file (a folder?)" : ": no such file") +
            " (a Meta-Album folder holds the file labels.csv and the folder images/)");
    }
    if (!fs::is_directory(imagesDir)) {
        throw Error(imagesDir.string() +
                    ": no such folder (a Meta-Album folder holds labels.csv and images/)");
    }

    const std::vector<CsvRecord> records = parseCsv(readTextFile(labelsFile), labelsFile.string());
    if (records.empty()) throw Error(labelsFile.string() + ": empty file (no header row)");
    const std::size_t fileColumn = findColumn(records[0], "FILE_NAME", labelsFile);
    const std::size_t categoryColumn = findColumn(records[0], "CATEGORY", labelsFile);

    Dataset dataset;
    std::vector<Entry> entries;
    for (std::size_t r = 1; r < records.size(); ++r) {
        const CsvRecord& record = records[r];
        const std::string where = labelsFile.string() + ": line " + std::to_string(record.line);
        if (record.fields.size() <= std::max(fileColumn, categoryColumn)) {
            dataset.warnings.push_back(where + ": too few fields; skipped");
            continue;
        }
        Entry entry{record.line, trimmed(record.fields[fileColumn]),
                    trimmed(record.fields[categoryColumn])};
        if (entry.fileName.empty() || entry.category.empty()) {
            dataset.warnings.push_back(where + ": empty FILE_NAME or CATEGORY; skipped");
            continue;
        }
        if (!staysInside(entry.fileName))
            throw Error(where + ": FILE_NAME '" + entry.fileName +
                        "' points outside the images/ folder (absolute or with '..'); a "
                        "dataset may only name files inside its own images/ folder");
        entries.push_back(std::move(entry));
    }

    std::map<std::string, int> labelOf; // sorted, so labels follow the sorted category names
    for (const Entry& entry : entries)
        labelOf.emplace(entry.category, 0);
    for (auto& [category, label] : labelOf) {
        label = int(dataset.classNames.size());
        dataset.classNames.push_back(category);
    }

    ImageCollector collector(path.string(), options.imageSize);
    for (const Entry& entry : entries) {
        const fs::path file = imagesDir / entry.fileName;
        DecodedImage image;
        try {
            if (!fs::is_regular_file(file)) throw Error(file.string() + ": no such file");
            image = decodeImageFile(file);
        } catch (const Error& error) {
            dataset.warnings.push_back(std::string(error.what()) + " (labels.csv line " +
                                       std::to_string(entry.line) + "); skipped");
            continue;
        }
        collector.add(image.pixels.data(), image.channels, image.height, image.width,
                      labelOf.at(entry.category), file.string());
    }
    if (collector.count() == 0) {
        throw Error(labelsFile.string() + ": no usable images (" + std::to_string(entries.size()) +
                    " listed, all missing or undecodable)");
    }
    collector.moveInto(dataset);
    dropEmptyClasses(dataset);
    return dataset;
}

} // namespace wb::data
