// Datasets built to mislead the loaders (issue 14): Meta-Album rows naming files outside the
// dataset, labels outside the classes, a labels.csv that is a folder. Each must be a clear error
// naming the file and the record.

#include "wb/common/error.h"
#include "wb/data/dataset.h"

#include "fixtures.h"

#include <filesystem>
#include <string>

#include <QTemporaryDir>
#include <QTest>

namespace fs = std::filesystem;
using fixtures::Bytes;

namespace {

fs::path root(const QTemporaryDir& dir)
{
    return fs::path(dir.path().toStdString());
}

std::string loadError(const fs::path& path)
{
    try {
        wb::data::loadDataset(path.string(), {});
    } catch (const wb::Error& error) {
        return error.what();
    }
    return {};
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

void writeGreyPng(const fs::path& file)
{
    const Bytes pixels = {10, 20, 30, 40};
    fixtures::writePng(file, 2, 2, 1, pixels);
}

} // namespace

class TestHostileDatasets : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void metaAlbumFileNameOutside_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::newRow("parent") << "../secret.png";
        QTest::newRow("deep parent") << "sub/../../../secret.png";
        QTest::newRow("absolute") << "ABSOLUTE";
    }
    void metaAlbumFileNameOutside()
    {
        QFETCH(QString, fileName);
        QTemporaryDir dir;
        const fs::path data = root(dir) / "album";
        // A decodable image outside the dataset: loading it would be the bug.
        writeGreyPng(root(dir) / "secret.png");
        writeGreyPng(data / "images" / "a.png");
        const std::string name =
            fileName == "ABSOLUTE" ? (root(dir) / "secret.png").string() : fileName.toStdString();
        fixtures::writeText(data / "labels.csv", "FILE_NAME,CATEGORY\na.png,x\n" + name + ",y\n");

        const std::string error = loadError(data);
        QVERIFY2(contains(error, (data / "labels.csv").string() + ": line 3"), error.c_str());
        QVERIFY2(contains(error, "points outside the images/ folder"), error.c_str());
    }

    void metaAlbumInsideSubfolderLoads()
    {
        // A relative name in a subfolder of images/ is legitimate and still loads.
        QTemporaryDir dir;
        writeGreyPng(root(dir) / "images" / "sub" / "a.png");
        writeGreyPng(root(dir) / "images" / "b.png");
        fixtures::writeText(root(dir) / "labels.csv", "FILE_NAME,CATEGORY\nsub/a.png,x\nb.png,y\n");
        const auto dataset = wb::data::loadDataset(root(dir).string(), {});
        QCOMPARE(dataset.count(), std::size_t(2));
    }

    void labelsCsvIsFolder()
    {
        QTemporaryDir dir;
        fs::create_directories(root(dir) / "labels.csv");
        writeGreyPng(root(dir) / "labels.csv" / "a.png");
        writeGreyPng(root(dir) / "images" / "b.png");

        const std::string error = loadError(root(dir));
        QVERIFY2(contains(error, (root(dir) / "labels.csv").string() + ": not a regular file"),
                 error.c_str());
    }

    void idxLabelOutsideKnownClasses()
    {
        QTemporaryDir dir;
        const fs::path folder = root(dir) / "fashion-mnist-copy";
        const Bytes labels = {0, 1, 200, 3};
        fixtures::writeFile(folder / "train-images-idx3-ubyte",
                            fixtures::idxImages(4, 1, 1, Bytes{1, 2, 3, 4}));
        fixtures::writeFile(folder / "train-labels-idx1-ubyte", fixtures::idxLabels(labels));

        const std::string error = loadError(folder);
        QVERIFY2(contains(error, (folder / "train-labels-idx1-ubyte").string() +
                                     ": record 2: label 200 is outside the dataset's 10 classes"),
                 error.c_str());
    }

    void cifarLabelOutOfRange_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("labelBytes");
        QTest::addColumn<QString>("message");
        QTest::newRow("cifar-10") << "data_batch_1.bin" << QByteArray("\xfa", 1)
                                  << "record 1 (byte 3073): label 250 is outside CIFAR-10's 10 "
                                     "classes";
        QTest::newRow("cifar-100") << "train.bin" << QByteArray("\x01\x64", 2)
                                   << "record 1 (byte 3075): label 100 is outside CIFAR-100's "
                                      "100 classes";
    }
    void cifarLabelOutOfRange()
    {
        QFETCH(QString, file);
        QFETCH(QByteArray, labelBytes);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const Bytes good(std::size_t(labelBytes.size()), 1);
        Bytes batch = fixtures::cifarRecord(good, 1);
        const auto bad = fixtures::cifarRecord(Bytes(labelBytes.begin(), labelBytes.end()), 2);
        batch.insert(batch.end(), bad.begin(), bad.end());
        fixtures::writeFile(root(dir) / file.toStdString(), batch);

        const std::string error = loadError(root(dir));
        QVERIFY2(contains(error,
                          (root(dir) / file.toStdString()).string() + ": " + message.toStdString()),
                 error.c_str());
    }
};

QTEST_APPLESS_MAIN(TestHostileDatasets)
#include "test_hostile_datasets.moc"
