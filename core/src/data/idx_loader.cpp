#include "data/loaders.h"

#include "data/file_io.h"
#include "data/image_collector.h"
#include "wb/common/error.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <optional>

#include <zlib.h>

namespace fs = std::filesystem;

namespace wb::data {

namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803; // unsigned byte data, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801; // unsigned byte data, 1 dimension
// Largest image side accepted; no IDX dataset comes near it, and it bounds the per-image buffer
// a corrupt header could make us allocate (pixels per side).
constexpr std::uint32_t kMaxSide = 8192;

const std::array<const char*, 10> kFashionMnistNames = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

// An IDX file opened through zlib, which reads plain files transparently as well as .gz.
class IdxFile {
public:
    explicit IdxFile(const fs::path& file) : m_name(file.string())
    {
        m_file = gzopen(file.c_str(), "rb");
        if (!m_file) throw Error(m_name + ": cannot open");
        gzbuffer(m_file, 1 << 17); // bytes; fewer syscalls than zlib's 8 KiB default
    }
    ~IdxFile() { gzclose(m_file); }
    IdxFile(const IdxFile&) = delete;
    IdxFile& operator=(const IdxFile&) = delete;

    const std::string& name() const { return m_name; }

    // Reads up to size bytes; fewer only at the end of the data.
    std::size_t read(void* buffer, std::size_t size)
    {
        auto* out = static_cast<char*>(buffer);
        std::size_t total = 0;
        while (total < size) {
            const unsigned want = unsigned(std::min<std::size_t>(size - total, 1u << 30));
            const int got = gzread(m_file, out + total, want);
            if (got < 0) {
                int code = 0;
                throw Error(m_name + ": cannot read (" + gzerror(m_file, &code) + ")");
            }
            if (got == 0) break;
            total += std::size_t(got);
        }
        return total;
    }

    std::uint32_t readHeaderWord(const char* what)
    {
        std::uint8_t bytes[4];
        if (read(bytes, 4) != 4) throw Error(m_name + ": truncated header (no " + what + ")");
        return std::uint32_t(bytes[0]) << 24 | std::uint32_t(bytes[1]) << 16 |
               std::uint32_t(bytes[2]) << 8 | std::uint32_t(bytes[3]);
    }

    void expectMagic(std::uint32_t expected, const char* kind)
    {
        const std::uint32_t magic = readHeaderWord("magic number");
        if (magic != expected) {
            char text[80];
            std::snprintf(text, sizeof text, "wrong magic number 0x%08x (expected 0x%08x for %s)",
                          magic, expected, kind);
            throw Error(m_name + ": " + text);
        }
    }

private:
    std::string m_name;
    gzFile m_file = nullptr;
};

// Splits "<prefix>images<sep>idx3-ubyte[.gz]"; sep is '-' (train-images-idx3-ubyte) or '.'
// (the train-images.idx3-ubyte spelling of some MNIST mirrors). Empty when the name differs.
struct ImagesName {
    std::string prefix;
    char separator = '-';
};

std::optional<ImagesName> parseImagesName(std::string name)
{
    if (name.ends_with(".gz")) name.resize(name.size() - 3);
    for (const char separator : {'-', '.'}) {
        const std::string tail = std::string("images") + separator + "idx3-ubyte";
        if (name.ends_with(tail))
            return ImagesName{name.substr(0, name.size() - tail.size()), separator};
    }
    return std::nullopt;
}

// The labels file paired with an images file: same prefix, "labels...idx1", plain or .gz,
// preferring the images file's own compression.
std::optional<fs::path> findLabelsFile(const fs::path& imagesFile, const ImagesName& parts)
{
    const std::string base = parts.prefix + "labels" + parts.separator + "idx1-ubyte";
    const bool gz = imagesFile.filename().string().ends_with(".gz");
    for (const std::string& name : {gz ? base + ".gz" : base, gz ? base : base + ".gz"}) {
        const fs::path candidate = imagesFile.parent_path() / name;
        if (fs::is_regular_file(candidate)) return candidate;
    }
    return std::nullopt;
}

std::string labelsFileHint(const fs::path& imagesFile, const ImagesName& parts)
{
    return (imagesFile.parent_path() / (parts.prefix + "labels" + parts.separator + "idx1-ubyte"))
               .string() +
           "[.gz]";
}

std::vector<std::uint8_t> readLabels(const fs::path& file)
{
    IdxFile idx(file);
    idx.expectMagic(kLabelsMagic, "an IDX labels file");
    const std::uint32_t count = idx.readHeaderWord("label count");
    // Grown chunk by chunk so a corrupt count cannot trigger a huge allocation.
    constexpr std::size_t kChunk = 1 << 20; // bytes per read
    std::vector<std::uint8_t> labels;
    while (labels.size() < count) {
        const std::size_t have = labels.size();
        labels.resize(std::min<std::size_t>(count, have + kChunk));
        const std::size_t got = idx.read(labels.data() + have, labels.size() - have);
        if (got < labels.size() - have) {
            throw Error(idx.name() + ": truncated (header promises " + std::to_string(count) +
                        " labels, file holds " + std::to_string(have + got) + ")");
        }
    }
    return labels;
}

// Fashion-MNIST, MNIST and KMNIST have ten classes; a label beyond them is damage, not an extra
// class. EMNIST (more classes) and other IDX sets have no known count: 0.
int knownClassCount(const fs::path& path)
{
    const auto name = toLowerAscii(fs::absolute(path).string());
    if (name.find("emnist") != std::string::npos) return 0;
    if (name.find("fashion") != std::string::npos || name.find("mnist") != std::string::npos)
        return int(kFashionMnistNames.size());
    return 0;
}

void loadPair(const fs::path& imagesFile, const fs::path& labelsFile, ImageCollector& collector,
              int& maxLabel, int knownClasses)
{
    const std::vector<std::uint8_t> labels = readLabels(labelsFile);
    if (knownClasses > 0)
        for (std::size_t i = 0; i < labels.size(); ++i)
            if (labels[i] >= knownClasses)
                throw Error(labelsFile.string() + ": record " + std::to_string(i) + ": label " +
                            std::to_string(labels[i]) + " is outside the dataset's " +
                            std::to_string(knownClasses) + " classes (0 to " +
                            std::to_string(knownClasses - 1) + ")");

    IdxFile idx(imagesFile);
    idx.expectMagic(kImagesMagic, "an IDX images file");
    const std::uint32_t count = idx.readHeaderWord("image count");
    const std::uint32_t rows = idx.readHeaderWord("row count");
    const std::uint32_t cols = idx.readHeaderWord("column count");
    if (rows == 0 || cols == 0 || rows > kMaxSide || cols > kMaxSide) {
        throw Error(idx.name() + ": invalid image dimensions " + std::to_string(rows) + "x" +
                    std::to_string(cols));
    }
    if (count != labels.size()) {
        throw Error(idx.name() + ": " + std::to_string(count) + " images but " +
                    labelsFile.string() + " has " + std::to_string(labels.size()) + " labels");
    }

    std::vector<std::uint8_t> image(std::size_t(rows) * cols);
    for (std::uint32_t i = 0; i < count; ++i) {
        if (idx.read(image.data(), image.size()) != image.size()) {
            throw Error(idx.name() + ": truncated (header promises " + std::to_string(count) +
                        " images of " + std::to_string(rows) + "x" + std::to_string(cols) +
                        ", file holds " + std::to_string(i) + ")");
        }
        collector.add(image.data(), 1, int(rows), int(cols), labels[i], idx.name());
        maxLabel = std::max<int>(maxLabel, labels[i]);
    }
}

std::vector<std::string> idxClassNames(const fs::path& path, int count)
{
    // Fashion-MNIST ships with numeric labels only; its folder name is the one hint we get.
    if (toLowerAscii(fs::absolute(path).string()).find("fashion") != std::string::npos &&
        count <= int(kFashionMnistNames.size()))
        return {kFashionMnistNames.begin(), kFashionMnistNames.begin() + count};
    return numberedClassNames(count);
}

} // namespace

bool looksLikeIdx(const fs::path& path)
{
    if (fs::is_regular_file(path)) return parseImagesName(path.filename().string()).has_value();
    if (!fs::is_directory(path)) return false;
    for (const fs::directory_entry& entry : fs::directory_iterator(path)) {
        if (entry.is_regular_file() && parseImagesName(entry.path().filename().string()))
            return true;
    }
    return false;
}

Dataset loadIdx(const fs::path& path, const LoadOptions& options)
{
    Dataset dataset;
    // Images file -> labels file, keyed and so ordered by the images file name without ".gz".
    std::map<std::string, std::pair<fs::path, fs::path>> pairs;
    std::string firstMissing;

    if (fs::is_regular_file(path)) {
        const auto parts = parseImagesName(path.filename().string());
        if (!parts) {
            throw Error(path.string() + ": not an IDX images file (expected a name like "
                                        "train-images-idx3-ubyte or train-images-idx3-ubyte.gz)");
        }
        const auto labels = findLabelsFile(path, *parts);
        if (!labels)
            throw Error(path.string() + ": no matching labels file " +
                        labelsFileHint(path, *parts));
        pairs.emplace(path.filename().string(), std::pair{path, *labels});
    } else {
        std::map<std::string, std::vector<fs::path>> imagesFiles; // by name without ".gz"
        for (const fs::directory_entry& entry : fs::directory_iterator(path)) {
            std::string name = entry.path().filename().string();
            if (!entry.is_regular_file() || !parseImagesName(name)) continue;
            if (name.ends_with(".gz")) name.resize(name.size() - 3);
            imagesFiles[name].push_back(entry.path());
        }
        for (auto& [key, files] : imagesFiles) {
            // Both X and X.gz present: the same data twice; the uncompressed one is used.
            std::sort(files.begin(), files.end());
            if (files.size() > 1) {
                dataset.warnings.push_back(files[1].string() + ": ignored, " + files[0].string() +
                                           " holds the same images uncompressed");
            }
            const auto parts = parseImagesName(files[0].filename().string());
            const auto labels = findLabelsFile(files[0], *parts);
            if (!labels) {
                const std::string problem = files[0].string() + ": no matching labels file " +
                                            labelsFileHint(files[0], *parts);
                if (firstMissing.empty()) firstMissing = problem;
                dataset.warnings.push_back(problem + "; skipped");
                continue;
            }
            pairs.emplace(key, std::pair{files[0], *labels});
        }
    }
    if (pairs.empty()) {
        throw Error(!firstMissing.empty()
                        ? firstMissing
                        : path.string() + ": no IDX files (expected X-images-idx3-ubyte[.gz] "
                                          "with X-labels-idx1-ubyte[.gz])");
    }

    ImageCollector collector(path.string(), options.imageSize);
    int maxLabel = -1;
    const int knownClasses = knownClassCount(path);
    for (const auto& [key, files] : pairs)
        loadPair(files.first, files.second, collector, maxLabel, knownClasses);
    if (collector.count() == 0) throw Error(path.string() + ": the IDX files hold no images");
    collector.moveInto(dataset);
    // Only labels that occur become classes (a subset such as labels {5, 7, 9} has three), each
    // keeping its original name; labels are renumbered densely in ascending order.
    const auto names = idxClassNames(path, maxLabel + 1);
    std::vector<int> dense(std::size_t(maxLabel + 1), -1);
    for (int label : dataset.labels) dense[std::size_t(label)] = 0;
    for (std::size_t label = 0; label < dense.size(); ++label)
        if (dense[label] == 0) {
            dense[label] = int(dataset.classNames.size());
            dataset.classNames.push_back(names[label]);
        }
    for (int& label : dataset.labels) label = dense[std::size_t(label)];
    return dataset;
}

} // namespace wb::data
