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

// Grey <-> RGB in place, so datasets of both kinds can share one supernet.
void convertChannels(Dataset& ds, int channels)
{
    if (channels == 0 || channels == ds.channels) return;
    const std::size_t plane = std::size_t(ds.height) * std::size_t(ds.width);
    std::vector<std::uint8_t> out(ds.count() * plane * std::size_t(channels));
    for (std::size_t i = 0; i < ds.count(); ++i) {
        const auto* in = ds.image(i);
        auto* o = out.data() + i * plane * std::size_t(channels);
        for (std::size_t k = 0; k < plane; ++k) {
            int sum = 0;
            for (int c = 0; c < ds.channels; ++c) sum += in[std::size_t(c) * plane + k];
            const auto grey = std::uint8_t((sum + ds.channels / 2) / ds.channels);
            for (int c = 0; c < channels; ++c) o[std::size_t(c) * plane + k] = grey;
        }
    }
    ds.pixels = std::move(out);
    ds.channels = channels;
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
    if (options.channels != 0 && options.channels != 1 && options.channels != 3)
        throw Error("image channels must be 0 (native), 1 (grey) or 3 (RGB), got " +
                    std::to_string(options.channels));
    try {
        std::error_code code;
        const bool exists = !path.empty() && fs::exists(path, code);
        if (code) throw Error(path + ": " + code.message());
        if (!exists) throw Error(path + ": no such file or directory");

        const Format format = options.format == Format::Auto ? detectFormat(path) : options.format;
        Dataset dataset = loadAs(format, path, options);
        convertChannels(dataset, options.channels);
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
