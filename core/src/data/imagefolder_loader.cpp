#include "data/loaders.h"

#include "data/file_io.h"
#include "data/image_collector.h"
#include "data/image_decode.h"
#include "wb/common/error.h"

#include <algorithm>

namespace fs = std::filesystem;

namespace wb::data {

namespace {

bool isHidden(const fs::path& path)
{
    return path.filename().string().starts_with('.');
}

bool hasImageExtension(const fs::path& file)
{
    const std::string extension = toLowerAscii(file.extension().string());
    return extension == ".png" || extension == ".jpg" || extension == ".jpeg" ||
           extension == ".bmp";
}

// Image files anywhere under a class folder, sorted so the load order is deterministic.
std::vector<fs::path> imageFilesUnder(const fs::path& folder)
{
    std::vector<fs::path> files;
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(folder)) {
        if (entry.is_regular_file() && hasImageExtension(entry.path()) && !isHidden(entry.path()))
            files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<fs::path> classFolders(const fs::path& root)
{
    std::vector<fs::path> folders;
    for (const fs::directory_entry& entry : fs::directory_iterator(root)) {
        if (entry.is_directory() && !isHidden(entry.path())) folders.push_back(entry.path());
    }
    std::sort(folders.begin(), folders.end());
    return folders;
}

} // namespace

bool looksLikeImageFolder(const fs::path& path)
{
    // Only images directly inside a class folder count here, unlike loading, so that detection
    // on a wrong path (a home folder, say) stays cheap instead of walking the whole tree.
    if (!fs::is_directory(path)) return false;
    for (const fs::path& folder : classFolders(path)) {
        for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
            if (entry.is_regular_file() && hasImageExtension(entry.path())) return true;
        }
    }
    return false;
}

Dataset loadImageFolder(const fs::path& path, const LoadOptions& options)
{
    if (!fs::is_directory(path)) {
        throw Error(path.string() +
                    ": not a folder (an image folder holds one subfolder of images per class)");
    }
    if (fs::is_empty(path)) {
        throw Error(path.string() + ": empty folder (expected one subfolder of images per class)");
    }

    Dataset dataset;
    std::vector<std::vector<fs::path>> filesPerClass;
    for (const fs::path& folder : classFolders(path)) {
        std::vector<fs::path> files = imageFilesUnder(folder);
        if (files.empty()) {
            dataset.warnings.push_back(folder.string() + ": no .png/.jpg/.jpeg/.bmp images; "
                                                         "not used as a class");
            continue;
        }
        dataset.classNames.push_back(folder.filename().string());
        filesPerClass.push_back(std::move(files));
    }
    if (filesPerClass.empty()) {
        throw Error(path.string() + ": no class subfolders with images (expected "
                                    "<class>/*.png|jpg|jpeg|bmp)");
    }

    ImageCollector collector(path.string(), options.imageSize);
    for (std::size_t label = 0; label < filesPerClass.size(); ++label) {
        for (const fs::path& file : filesPerClass[label]) {
            DecodedImage image;
            try {
                image = decodeImageFile(file);
            } catch (const Error& error) {
                dataset.warnings.push_back(std::string(error.what()) + "; skipped");
                continue;
            }
            collector.add(image.pixels.data(), image.channels, image.height, image.width,
                          int(label), file.string());
        }
    }
    if (collector.count() == 0) throw Error(path.string() + ": none of the images can be decoded");
    collector.moveInto(dataset);
    dropEmptyClasses(dataset);
    return dataset;
}

} // namespace wb::data
