#include "wb/data/dataset.h"

#include "data/loaders.h"
#include "wb/common/error.h"
#include "wb/data/fingerprint.h"

namespace fs = std::filesystem;

namespace wb::data {

namespace {

constexpr const char* kExpectedLayouts =
    "expected labels.csv + images/ (Meta-Album), X-images-idx3-ubyte[.gz] + "
    "X-labels-idx1-ubyte[.gz] (IDX), data_batch_N.bin / test_batch.bin / train.bin / test.bin "
    "(CIFAR), or one subfolder of .png/.jpg/.jpeg/.bmp images per class (image folder)";

// Meta-Album is tried first: its images/ folder would otherwise pass for an image folder class.
Format detectFormat(const fs::path& path)
{
    if (fs::is_regular_file(path)) {
        if (looksLikeIdx(path)) return Format::Idx;
        if (looksLikeCifar(path)) return Format::Cifar;
        throw Error(path.string() +
                    ": cannot detect the dataset format of a single file (expected an "
                    "X-images-idx3-ubyte[.gz] file or a CIFAR .bin file, or a dataset folder)");
    }
    if (fs::is_directory(path)) {
        if (looksLikeMetaAlbum(path)) return Format::MetaAlbum;
        if (looksLikeIdx(path)) return Format::Idx;
        if (looksLikeCifar(path)) return Format::Cifar;
        if (looksLikeImageFolder(path)) return Format::ImageFolder;
        if (fs::is_empty(path))
            throw Error(path.string() +
                        ": cannot detect the dataset format (the folder is empty; " +
                        kExpectedLayouts + ")");
    }
    throw Error(path.string() + ": cannot detect the dataset format (" + kExpectedLayouts + ")");
}

Dataset loadAs(Format format, const fs::path& path, const LoadOptions& options)
{
    switch (format) {
    case Format::Idx:
        return loadIdx(path, options);
    case Format::MetaAlbum:
        return loadMetaAlbum(path, options);
    case Format::ImageFolder:
        return loadImageFolder(path, options);
    case Format::Cifar:
        return loadCifar(path, options);
    case Format::Auto:
        break;
    }
    throw Error(path.string() + ": no loader for format " + formatName(format));
}

} // namespace

std::vector<std::string> numberedClassNames(int count)
{
    std::vector<std::string> names;
    for (int i = 0; i < count; ++i)
        names.push_back(std::to_string(i));
    return names;
}

Dataset loadDataset(const std::string& path, const LoadOptions& options)
{
    if (options.imageSize < 0) {
        throw Error("image size must be 0 (native size) or positive, got " +
                    std::to_string(options.imageSize));
    }
    try {
        std::error_code code;
        const bool exists = !path.empty() && fs::exists(path, code);
        if (code) throw Error(path + ": " + code.message());
        if (!exists) throw Error(path + ": no such file or directory");

        const Format format = options.format == Format::Auto ? detectFormat(path) : options.format;
        Dataset dataset = loadAs(format, path, options);
        dataset.path = path;
        dataset.format = format;
        dataset.fingerprint = datasetFingerprint(dataset);
        return dataset;
    } catch (const fs::filesystem_error& error) {
        // Permission problems and races with a changing folder surface here.
        const std::string where = error.path1().empty() ? path : error.path1().string();
        throw Error(where + ": " + error.code().message());
    }
}

} // namespace wb::data
