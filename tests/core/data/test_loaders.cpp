#include "wb/common/error.h"
#include "wb/data/dataset.h"
#include "wb/data/fingerprint.h"

#include "fixtures.h"

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <QTemporaryDir>
#include <QTest>

namespace fs = std::filesystem;
using fixtures::Bytes;
using wb::data::Dataset;
using wb::data::Format;
using wb::data::LoadOptions;

Q_DECLARE_METATYPE(wb::data::Format)

// Every loader on generated good and corrupt fixtures, auto-detection, the channel and size
// policies, the fingerprint, and (when installed) the real Fashion-MNIST files.
class TestLoaders : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void formatNames();

    void idxFolderPlainAndGz();
    void idxSingleFile();
    void idxFashionNames();
    void idxLabelGaps();
    void idxErrors_data();
    void idxErrors();

    void metaAlbum();
    void metaAlbumMissingColumn();
    void metaAlbumNoUsableImages();

    void imageFolderGrey();
    void imageFolderRgbAndAlpha();
    void imageFolderErrors();

    void sizesDifferWithoutImageSize();
    void resizeToImageSize();

    void cifar10Folder();
    void cifar100Folder();
    void cifarSingleFiles();
    void cifarBadSize();

    void autoDetect_data();
    void autoDetect();
    void missingPath();
    void unknownLayout();
    void forcedFormatMismatch();

    void fingerprint();

    void realFashionMnist();
};

namespace {

fs::path root(const QTemporaryDir& dir)
{
    return fs::path(dir.path().toStdString());
}

// The wb::Error message of loading path, or "" when it loads.
std::string loadError(const fs::path& path, const LoadOptions& options = {})
{
    try {
        wb::data::loadDataset(path.string(), options);
    } catch (const wb::Error& error) {
        return error.what();
    }
    return {};
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

bool anyContains(const std::vector<std::string>& lines, const std::string& part)
{
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& line) { return contains(line, part); });
}

Bytes ramp(std::size_t size, int start)
{
    Bytes bytes(size);
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = std::uint8_t(start + 3 * int(i));
    return bytes;
}

Bytes planarFromInterleaved(const Bytes& interleaved, int components)
{
    const std::size_t plane = interleaved.size() / components;
    Bytes planar(interleaved.size());
    for (std::size_t p = 0; p < plane; ++p) {
        for (int c = 0; c < components; ++c)
            planar[c * plane + p] = interleaved[p * components + c];
    }
    return planar;
}

Bytes imageBytes(const Dataset& dataset, std::size_t index)
{
    return Bytes(dataset.image(index), dataset.image(index) + dataset.imageBytes());
}

void writeIdxPair(const fs::path& folder, const std::string& prefix, std::uint32_t rows,
                  std::uint32_t cols, const Bytes& pixels, const Bytes& labels, bool gz)
{
    const std::string suffix = gz ? ".gz" : "";
    fixtures::writeFile(folder / (prefix + "-images-idx3-ubyte" + suffix),
                        fixtures::idxImages(std::uint32_t(labels.size()), rows, cols, pixels), gz);
    fixtures::writeFile(folder / (prefix + "-labels-idx1-ubyte" + suffix),
                        fixtures::idxLabels(labels), gz);
}

// A small IDX folder: train (plain, 3 images) and t10k (gzip, 2 images) of 2 rows x 3 columns.
const Bytes kTrainPixels = ramp(3 * 6, 0);
const Bytes kTrainLabels = {0, 2, 1};
const Bytes kTestPixels = ramp(2 * 6, 100);
const Bytes kTestLabels = {2, 2};

void writeIdxFolder(const fs::path& folder)
{
    writeIdxPair(folder, "train", 2, 3, kTrainPixels, kTrainLabels, false);
    writeIdxPair(folder, "t10k", 2, 3, kTestPixels, kTestLabels, true);
}

// Grey 2x2 image with the given four values.
void writeGreyPng(const fs::path& file, Bytes values)
{
    fixtures::writePng(file, 2, 2, 1, values);
}

void writeCifar10Folder(const fs::path& folder)
{
    Bytes batch = fixtures::cifarRecord({3}, 1);
    const Bytes second = fixtures::cifarRecord({9}, 2);
    batch.insert(batch.end(), second.begin(), second.end());
    fixtures::writeFile(folder / "data_batch_1.bin", batch);
    fixtures::writeFile(folder / "test_batch.bin", fixtures::cifarRecord({0}, 3));
}

} // namespace

void TestLoaders::formatNames()
{
    for (Format format :
         {Format::Auto, Format::Idx, Format::MetaAlbum, Format::ImageFolder, Format::Cifar})
        QCOMPARE(wb::data::parseFormat(wb::data::formatName(format)), format);
    QCOMPARE(wb::data::parseFormat("Meta-Album"), Format::MetaAlbum);
    QCOMPARE(wb::data::parseFormat("image_folder"), Format::ImageFolder);
    QVERIFY_THROWS_EXCEPTION(wb::Error, wb::data::parseFormat("bogus"));
}

void TestLoaders::idxFolderPlainAndGz()
{
    QTemporaryDir dir;
    writeIdxFolder(root(dir) / "digits");

    const Dataset dataset = wb::data::loadDataset((root(dir) / "digits").string());
    QCOMPARE(dataset.format, Format::Idx);
    QCOMPARE(dataset.count(), std::size_t(5));
    QCOMPARE(dataset.channels, 1);
    QCOMPARE(dataset.height, 2);
    QCOMPARE(dataset.width, 3);
    // Pairs load in file-name order: t10k before train.
    QCOMPARE(dataset.labels, (std::vector<int>{2, 2, 0, 2, 1}));
    Bytes expected = kTestPixels;
    expected.insert(expected.end(), kTrainPixels.begin(), kTrainPixels.end());
    QCOMPARE(dataset.pixels, expected);
    QCOMPARE(dataset.classNames, (std::vector<std::string>{"0", "1", "2"}));
    QCOMPARE(dataset.classCounts(), (std::vector<int>{1, 1, 3}));
    QVERIFY(dataset.warnings.empty());
    QCOMPARE(dataset.path, (root(dir) / "digits").string());
}

void TestLoaders::idxSingleFile()
{
    QTemporaryDir dir;
    writeIdxFolder(root(dir));

    const Dataset dataset = wb::data::loadDataset((root(dir) / "train-images-idx3-ubyte").string());
    QCOMPARE(dataset.format, Format::Idx);
    QCOMPARE(dataset.labels, (std::vector<int>{0, 2, 1}));
    QCOMPARE(dataset.pixels, kTrainPixels);

    const Dataset gz = wb::data::loadDataset((root(dir) / "t10k-images-idx3-ubyte.gz").string());
    QCOMPARE(gz.pixels, kTestPixels);
}

void TestLoaders::idxFashionNames()
{
    QTemporaryDir dir;
    const fs::path folder = root(dir) / "Fashion-tiny";
    writeIdxPair(folder, "train", 1, 1, ramp(10, 0), {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, true);

    const Dataset dataset = wb::data::loadDataset(folder.string());
    QCOMPARE(dataset.classNames.size(), std::size_t(10));
    QCOMPARE(dataset.classNames[0], std::string("T-shirt/top"));
    QCOMPARE(dataset.classNames[9], std::string("Ankle boot"));
}

void TestLoaders::idxLabelGaps()
{
    // A class subset (labels 5, 7, 9) has three classes, keeping their names and order.
    QTemporaryDir dir;
    const fs::path shoes = root(dir) / "fashion-shoes";
    writeIdxPair(shoes, "train", 1, 1, ramp(4, 0), {9, 5, 7, 5}, false);
    const Dataset d = wb::data::loadDataset(shoes.string());
    QCOMPARE(d.classNames, (std::vector<std::string>{"Sandal", "Sneaker", "Ankle boot"}));
    QCOMPARE(d.labels, (std::vector<int>{2, 0, 1, 0}));
    QCOMPARE(d.classCounts(), (std::vector<int>{2, 1, 1}));

    const fs::path digits = root(dir) / "odd";
    writeIdxPair(digits, "train", 1, 1, ramp(3, 0), {3, 1, 3}, false);
    const Dataset o = wb::data::loadDataset(digits.string());
    QCOMPARE(o.classNames, (std::vector<std::string>{"1", "3"}));
    QCOMPARE(o.labels, (std::vector<int>{1, 0, 1}));
}

void TestLoaders::idxErrors_data()
{
    QTest::addColumn<QString>("problem");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("message");
    QTest::newRow("images magic") << "images magic"
                                  << "train-images-idx3-ubyte"
                                  << "wrong magic number 0x00000804";
    QTest::newRow("labels magic") << "labels magic"
                                  << "train-labels-idx1-ubyte"
                                  << "wrong magic number 0x00000803";
    QTest::newRow("truncated images") << "truncated images"
                                      << "train-images-idx3-ubyte"
                                      << "truncated";
    QTest::newRow("truncated gz images") << "truncated gz images"
                                         << "train-images-idx3-ubyte.gz"
                                         << "truncated";
    QTest::newRow("truncated labels") << "truncated labels"
                                      << "train-labels-idx1-ubyte"
                                      << "truncated";
    QTest::newRow("truncated header") << "truncated header"
                                      << "train-images-idx3-ubyte"
                                      << "truncated header";
    QTest::newRow("count mismatch") << "count mismatch"
                                    << "train-labels-idx1-ubyte"
                                    << "3 images but";
    QTest::newRow("zero rows") << "zero rows"
                               << "train-images-idx3-ubyte"
                               << "invalid image dimensions 0x3";
    QTest::newRow("missing labels") << "missing labels"
                                    << "train-labels-idx1-ubyte"
                                    << "no matching labels file";
}

void TestLoaders::idxErrors()
{
    QFETCH(QString, problem);
    QFETCH(QString, file);
    QFETCH(QString, message);

    QTemporaryDir dir;
    const fs::path folder = root(dir);
    const Bytes pixels = ramp(3 * 6, 0);
    const Bytes labels = {0, 1, 2};
    Bytes images = fixtures::idxImages(3, 2, 3, pixels);
    Bytes labelFile = fixtures::idxLabels(labels);
    bool gz = false;
    if (problem == "images magic") images = fixtures::idxImages(3, 2, 3, pixels, 0x804);
    if (problem == "labels magic") labelFile = fixtures::idxLabels(labels, 0x803);
    if (problem == "truncated images") images.resize(images.size() - 4);
    if (problem == "truncated gz images") {
        images.resize(images.size() - 4);
        gz = true;
    }
    if (problem == "truncated labels") labelFile.pop_back();
    if (problem == "truncated header") images.resize(10);
    if (problem == "count mismatch") labelFile = fixtures::idxLabels({0, 1});
    if (problem == "zero rows") images = fixtures::idxImages(3, 0, 3, {});

    const std::string suffix = gz ? ".gz" : "";
    fixtures::writeFile(folder / ("train-images-idx3-ubyte" + suffix), images, gz);
    if (problem != "missing labels")
        fixtures::writeFile(folder / ("train-labels-idx1-ubyte" + suffix), labelFile, gz);

    const std::string error = loadError(folder);
    QVERIFY2(contains(error, file.toStdString()), error.c_str());
    QVERIFY2(contains(error, message.toStdString()), error.c_str());
}

void TestLoaders::metaAlbum()
{
    QTemporaryDir dir;
    const fs::path folder = root(dir) / "album";
    // Quoted header and fields, a comma and an escaped quote inside fields, CRLF line ends,
    // columns in an unusual order plus an ignored one.
    fixtures::writeText(folder / "labels.csv", "\"SUPER_CATEGORY\",FILE_NAME,CATEGORY,extra\r\n"
                                               "animals,cat1.png,\"cat, domestic\",x\r\n"
                                               "animals,\"dog \"\"1\"\".png\",dog,y\r\n"
                                               "animals,cat2.png,\"cat, domestic\",z\r\n"
                                               "animals,missing.png,bird,w\r\n");
    const Bytes cat1 = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30};
    fixtures::writePng(folder / "images" / "cat1.png", 2, 2, 3, cat1);
    writeGreyPng(folder / "images" / "dog \"1\".png", {1, 2, 3, 4});
    writeGreyPng(folder / "images" / "cat2.png", {50, 60, 70, 80});

    const Dataset dataset = wb::data::loadDataset(folder.string());
    QCOMPARE(dataset.format, Format::MetaAlbum);
    // bird lost its only image, so it is dropped rather than left as an empty class.
    QCOMPARE(dataset.classNames, (std::vector<std::string>{"cat, domestic", "dog"}));
    QCOMPARE(dataset.labels, (std::vector<int>{0, 1, 0}));
    QCOMPARE(dataset.channels, 3);
    QCOMPARE(dataset.height, 2);
    QCOMPARE(dataset.width, 2);
    QCOMPARE(imageBytes(dataset, 0), planarFromInterleaved(cat1, 3));
    // Grey images in an RGB dataset are replicated into all three planes.
    QCOMPARE(imageBytes(dataset, 1), (Bytes{1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4}));
    QVERIFY(anyContains(dataset.warnings, "missing.png"));
    QVERIFY(anyContains(dataset.warnings, "bird"));
}

void TestLoaders::metaAlbumMissingColumn()
{
    QTemporaryDir dir;
    fixtures::writeText(root(dir) / "labels.csv", "FILE_NAME,LABEL\na.png,x\n");
    writeGreyPng(root(dir) / "images" / "a.png", {1, 2, 3, 4});

    const std::string error = loadError(root(dir));
    QVERIFY2(contains(error, "labels.csv"), error.c_str());
    QVERIFY2(contains(error, "missing column CATEGORY"), error.c_str());
}

void TestLoaders::metaAlbumNoUsableImages()
{
    QTemporaryDir dir;
    fixtures::writeText(root(dir) / "labels.csv", "FILE_NAME,CATEGORY\na.png,x\nb.png,y\n");
    fs::create_directories(root(dir) / "images");
    fixtures::writeText(root(dir) / "images" / "b.png", "not a png");

    const std::string error = loadError(root(dir));
    QVERIFY2(contains(error, "labels.csv"), error.c_str());
    QVERIFY2(contains(error, "no usable images"), error.c_str());
}

void TestLoaders::imageFolderGrey()
{
    QTemporaryDir dir;
    const fs::path folder = root(dir);
    writeGreyPng(folder / "zebra" / "a.png", {9, 8, 7, 6});
    writeGreyPng(folder / "ant" / "b.PNG", {1, 2, 3, 4});
    writeGreyPng(folder / "ant" / "nested" / "c.png", {5, 6, 7, 8});
    fixtures::writeText(folder / "ant" / "garbage.png", "these bytes are not an image");
    fixtures::writeText(folder / "ant" / "notes.txt", "ignored");
    fs::create_directories(folder / "no_images");

    const Dataset dataset = wb::data::loadDataset(folder.string());
    QCOMPARE(dataset.format, Format::ImageFolder);
    QCOMPARE(dataset.classNames, (std::vector<std::string>{"ant", "zebra"}));
    QCOMPARE(dataset.channels, 1);
    QCOMPARE(dataset.labels, (std::vector<int>{0, 0, 1}));
    QCOMPARE(dataset.pixels, (Bytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 8, 7, 6}));
    QVERIFY(anyContains(dataset.warnings, "garbage.png"));
    QVERIFY(anyContains(dataset.warnings, "no_images"));
}

void TestLoaders::imageFolderRgbAndAlpha()
{
    QTemporaryDir dir;
    const fs::path folder = root(dir);
    const Bytes rgb = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120};
    fixtures::writeBmp(folder / "a" / "x.bmp", 2, 2, 3, rgb);
    // Grey + alpha: value 0 at alpha 0, 255, 128 and 51 over white.
    fixtures::writePng(folder / "b" / "y.png", 2, 2, 2, {0, 0, 0, 255, 0, 128, 100, 51});
    fixtures::writePng(folder / "b" / "z.png", 2, 2, 4,
                       {200, 100, 0, 255, 200, 100, 0, 0, 0, 0, 0, 128, 255, 255, 255, 10});

    const Dataset dataset = wb::data::loadDataset(folder.string());
    QCOMPARE(dataset.channels, 3);
    QCOMPARE(dataset.count(), std::size_t(3));
    QCOMPARE(imageBytes(dataset, 0), planarFromInterleaved(rgb, 3));
    // (v * a + 255 * (255 - a) + 127) / 255: 0@128 -> 127, 100@51 -> 224.
    QCOMPARE(imageBytes(dataset, 1), (Bytes{255, 0, 127, 224, 255, 0, 127, 224, 255, 0, 127, 224}));
    QCOMPARE(imageBytes(dataset, 2),
             (Bytes{200, 255, 127, 255, 100, 255, 127, 255, 0, 255, 127, 255}));
}

void TestLoaders::imageFolderErrors()
{
    QTemporaryDir dir;
    const fs::path empty = root(dir) / "empty";
    fs::create_directories(empty);
    LoadOptions forced;
    forced.format = Format::ImageFolder;
    std::string error = loadError(empty, forced);
    QVERIFY2(contains(error, empty.string()) && contains(error, "empty folder"), error.c_str());
    error = loadError(empty);
    QVERIFY2(contains(error, empty.string()) && contains(error, "folder is empty"), error.c_str());

    const fs::path flat = root(dir) / "flat";
    writeGreyPng(flat / "a.png", {1, 2, 3, 4});
    error = loadError(flat, forced);
    QVERIFY2(contains(error, flat.string()) && contains(error, "no class subfolders"),
             error.c_str());

    const fs::path broken = root(dir) / "broken";
    fixtures::writeText(broken / "cls" / "a.png", "garbage");
    error = loadError(broken);
    QVERIFY2(contains(error, broken.string()) && contains(error, "none of the images"),
             error.c_str());
}

void TestLoaders::sizesDifferWithoutImageSize()
{
    QTemporaryDir dir;
    fixtures::writePng(root(dir) / "a" / "big.png", 3, 3, 1, Bytes(9, 1));
    writeGreyPng(root(dir) / "a" / "small.png", {1, 2, 3, 4});

    const std::string error = loadError(root(dir));
    QVERIFY2(contains(error, "images differ in size (3x3 in "), error.c_str());
    QVERIFY2(contains(error, "big.png, 2x2 in "), error.c_str());
    QVERIFY2(contains(error, "small.png); pass an image size"), error.c_str());
}

void TestLoaders::resizeToImageSize()
{
    QTemporaryDir dir;
    fixtures::writePng(root(dir) / "a" / "flat.png", 3, 3, 1, Bytes(9, 77));
    // A 4x4 checkerboard: an antialiasing filter averages it to mid grey, where point sampling
    // would keep 0 or 255.
    Bytes checker(16);
    for (int i = 0; i < 16; ++i)
        checker[i] = ((i / 4 + i % 4) % 2) ? 255 : 0;
    fixtures::writePng(root(dir) / "a" / "grid.png", 4, 4, 1, checker);

    LoadOptions options;
    options.imageSize = 2;
    const Dataset dataset = wb::data::loadDataset(root(dir).string(), options);
    QCOMPARE(dataset.height, 2);
    QCOMPARE(dataset.width, 2);
    QCOMPARE(dataset.pixels.size(), std::size_t(2 * 2 * 2));
    QCOMPARE(imageBytes(dataset, 0), Bytes(4, 77));
    for (std::uint8_t value : imageBytes(dataset, 1))
        QVERIFY2(value > 64 && value < 192, std::to_string(value).c_str());

    options.imageSize = 5;
    const Dataset up = wb::data::loadDataset(root(dir).string(), options);
    QCOMPARE(up.height, 5);
    QCOMPARE(up.width, 5);
    QCOMPARE(imageBytes(up, 0), Bytes(25, 77));

    QTemporaryDir idxDir;
    writeIdxFolder(root(idxDir));
    options.imageSize = 4;
    const Dataset idx = wb::data::loadDataset(root(idxDir).string(), options);
    QCOMPARE(idx.height, 4);
    QCOMPARE(idx.width, 4);
    QCOMPARE(idx.pixels.size(), std::size_t(5 * 16));
}

void TestLoaders::cifar10Folder()
{
    QTemporaryDir dir;
    writeCifar10Folder(root(dir));
    fixtures::writeText(root(dir) / "batches.meta.txt",
                        "airplane\r\nautomobile\r\nbird\r\ncat\r\ndeer\r\ndog\r\nfrog\r\nhorse\r\n"
                        "ship\r\ntruck\r\n\r\n");

    const Dataset dataset = wb::data::loadDataset(root(dir).string());
    QCOMPARE(dataset.format, Format::Cifar);
    QCOMPARE(dataset.channels, 3);
    QCOMPARE(dataset.height, 32);
    QCOMPARE(dataset.width, 32);
    QCOMPARE(dataset.labels, (std::vector<int>{3, 9, 0}));
    QCOMPARE(dataset.classNames.size(), std::size_t(10));
    QCOMPARE(dataset.classNames[9], std::string("truck"));
    const Bytes second = fixtures::cifarRecord({9}, 2);
    QCOMPARE(imageBytes(dataset, 1), Bytes(second.begin() + 1, second.end()));
}

void TestLoaders::cifar100Folder()
{
    QTemporaryDir dir;
    Bytes train = fixtures::cifarRecord({1, 42}, 5);
    const Bytes more = fixtures::cifarRecord({2, 7}, 6);
    train.insert(train.end(), more.begin(), more.end());
    fixtures::writeFile(root(dir) / "train.bin", train);
    fixtures::writeFile(root(dir) / "test.bin", fixtures::cifarRecord({0, 5}, 7));

    const Dataset dataset = wb::data::loadDataset(root(dir).string());
    QCOMPARE(dataset.format, Format::Cifar);
    QCOMPARE(dataset.labels, (std::vector<int>{42, 7, 5}));
    QCOMPARE(dataset.classNames.size(), std::size_t(43));
    QCOMPARE(dataset.classNames[42], std::string("42"));
    const Bytes last = fixtures::cifarRecord({0, 5}, 7);
    QCOMPARE(imageBytes(dataset, 2), Bytes(last.begin() + 2, last.end()));
}

void TestLoaders::cifarSingleFiles()
{
    QTemporaryDir dir;
    writeCifar10Folder(root(dir));
    const Dataset batch = wb::data::loadDataset((root(dir) / "data_batch_1.bin").string());
    QCOMPARE(batch.labels, (std::vector<int>{3, 9}));

    // An unofficial name: 2 x 3074 bytes is only a whole number of CIFAR-100 records.
    Bytes custom = fixtures::cifarRecord({0, 11}, 1);
    const Bytes more = fixtures::cifarRecord({0, 12}, 2);
    custom.insert(custom.end(), more.begin(), more.end());
    fixtures::writeFile(root(dir) / "other" / "mine.bin", custom);
    const Dataset mine = wb::data::loadDataset((root(dir) / "other" / "mine.bin").string());
    QCOMPARE(mine.labels, (std::vector<int>{11, 12}));
}

void TestLoaders::cifarBadSize()
{
    QTemporaryDir dir;
    Bytes batch = fixtures::cifarRecord({1}, 1);
    batch.resize(batch.size() + 5);
    fixtures::writeFile(root(dir) / "data_batch_1.bin", batch);

    const std::string error = loadError(root(dir));
    QVERIFY2(contains(error, "data_batch_1.bin"), error.c_str());
    QVERIFY2(contains(error, "not a multiple of the 3073-byte CIFAR-10 record"), error.c_str());
}

void TestLoaders::autoDetect_data()
{
    QTest::addColumn<QString>("layout");
    QTest::addColumn<QString>("target");
    QTest::addColumn<Format>("format");
    QTest::newRow("idx folder") << "idx"
                                << "" << Format::Idx;
    QTest::newRow("idx file") << "idx"
                              << "train-images-idx3-ubyte" << Format::Idx;
    QTest::newRow("meta-album") << "metaalbum"
                                << "" << Format::MetaAlbum;
    QTest::newRow("image folder") << "imagefolder"
                                  << "" << Format::ImageFolder;
    QTest::newRow("cifar folder") << "cifar"
                                  << "" << Format::Cifar;
    QTest::newRow("cifar file") << "cifar"
                                << "test_batch.bin" << Format::Cifar;
}

void TestLoaders::autoDetect()
{
    QFETCH(QString, layout);
    QFETCH(QString, target);
    QFETCH(Format, format);

    QTemporaryDir dir;
    const fs::path folder = root(dir);
    if (layout == "idx") writeIdxFolder(folder);
    if (layout == "metaalbum") {
        fixtures::writeText(folder / "labels.csv", "FILE_NAME,CATEGORY\na.png,x\n");
        writeGreyPng(folder / "images" / "a.png", {1, 2, 3, 4});
    }
    if (layout == "imagefolder") writeGreyPng(folder / "x" / "a.png", {1, 2, 3, 4});
    if (layout == "cifar") writeCifar10Folder(folder);

    const Dataset dataset = wb::data::loadDataset((folder / target.toStdString()).string());
    QCOMPARE(dataset.format, format);
    QVERIFY(dataset.count() > 0);
}

void TestLoaders::missingPath()
{
    QTemporaryDir dir;
    const fs::path missing = root(dir) / "nowhere";
    const std::string error = loadError(missing);
    QCOMPARE(error, missing.string() + ": no such file or directory");
}

void TestLoaders::unknownLayout()
{
    QTemporaryDir dir;
    fixtures::writeText(root(dir) / "notes.txt", "hello");
    std::string error = loadError(root(dir));
    QVERIFY2(contains(error, root(dir).string() + ": cannot detect the dataset format (expected"),
             error.c_str());
    error = loadError(root(dir) / "notes.txt");
    QVERIFY2(contains(error, "notes.txt: cannot detect the dataset format"), error.c_str());
}

void TestLoaders::forcedFormatMismatch()
{
    QTemporaryDir dir;
    writeIdxFolder(root(dir) / "idx");
    writeGreyPng(root(dir) / "folder" / "x" / "a.png", {1, 2, 3, 4});

    LoadOptions options;
    options.format = Format::Idx;
    std::string error = loadError(root(dir) / "folder", options);
    QVERIFY2(contains(error, "folder: no IDX files"), error.c_str());
    options.format = Format::Cifar;
    error = loadError(root(dir) / "idx", options);
    QVERIFY2(contains(error, "idx: no CIFAR batch files"), error.c_str());
    options.format = Format::MetaAlbum;
    error = loadError(root(dir) / "idx", options);
    QVERIFY2(contains(error, "labels.csv: no such file"), error.c_str());
    options.format = Format::ImageFolder;
    error = loadError(root(dir) / "idx", options);
    QVERIFY2(contains(error, "idx: no class subfolders"), error.c_str());
}

void TestLoaders::fingerprint()
{
    QTemporaryDir dir;
    const fs::path original = root(dir) / "original";
    writeIdxFolder(original);
    const Dataset first = wb::data::loadDataset(original.string());
    QCOMPARE(first.fingerprint.size(), std::size_t(64));
    QVERIFY(std::all_of(first.fingerprint.begin(), first.fingerprint.end(),
                        [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }));
    QCOMPARE(first.fingerprint, wb::data::datasetFingerprint(first));
    QCOMPARE(wb::data::loadDataset(original.string()).fingerprint, first.fingerprint);

    // The location is not part of the identity.
    fs::copy(original, root(dir) / "copy");
    QCOMPARE(wb::data::loadDataset((root(dir) / "copy").string()).fingerprint, first.fingerprint);

    const fs::path pixel = root(dir) / "pixel";
    Bytes changed = kTrainPixels;
    ++changed[7];
    writeIdxPair(pixel, "train", 2, 3, changed, kTrainLabels, false);
    writeIdxPair(pixel, "t10k", 2, 3, kTestPixels, kTestLabels, true);
    QVERIFY(wb::data::loadDataset(pixel.string()).fingerprint != first.fingerprint);

    const fs::path label = root(dir) / "label";
    writeIdxPair(label, "train", 2, 3, kTrainPixels, {0, 2, 2}, false);
    writeIdxPair(label, "t10k", 2, 3, kTestPixels, kTestLabels, true);
    QVERIFY(wb::data::loadDataset(label.string()).fingerprint != first.fingerprint);

    LoadOptions resized;
    resized.imageSize = 3;
    QVERIFY(wb::data::loadDataset(original.string(), resized).fingerprint != first.fingerprint);
}

void TestLoaders::realFashionMnist()
{
    const fs::path folder = "/usr/share/datasets/fashion-mnist";
    if (!fs::is_directory(folder)) QSKIP("Fashion-MNIST is not installed");

    const Dataset dataset = wb::data::loadDataset(folder.string());
    QCOMPARE(dataset.format, Format::Idx);
    QCOMPARE(dataset.count(), std::size_t(70000));
    QCOMPARE(dataset.channels, 1);
    QCOMPARE(dataset.height, 28);
    QCOMPARE(dataset.width, 28);
    QCOMPARE(dataset.classNames.size(), std::size_t(10));
    QCOMPARE(dataset.classNames[0], std::string("T-shirt/top"));
    QCOMPARE(dataset.classCounts(), std::vector<int>(10, 7000));
    QVERIFY(dataset.warnings.empty());
}

QTEST_APPLESS_MAIN(TestLoaders)
#include "test_loaders.moc"
