// Where a queued job's datasets are: relative to the submitter's data root, and on a worker only
// under its own roots - `..`, symbolic links and absolute paths cannot lead a job elsewhere.

#include "wb/common/error.h"
#include "wb/jobs/queue.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>

namespace fs = std::filesystem;
using wb::jobs::DataRoots;

class TestDataRoots : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void submitterStoresPathsRelativeToItsRoot()
    {
        QTemporaryDir dir;
        const auto root = dir.filePath("data").toStdString();
        fs::create_directories(root + "/fsh");
        const DataRoots roots{{root}};
        QCOMPARE(roots.forQueue(root + "/fsh"), std::string("fsh"));
        QCOMPARE(roots.forQueue(root + "/./fsh/"), std::string("fsh"));
        const auto outside = dir.filePath("other").toStdString();
        QCOMPARE(roots.forQueue(outside), outside); // absolute, as given
    }

    void workerReadsOnlyUnderItsRoots()
    {
        QTemporaryDir dir;
        const auto root = dir.filePath("data").toStdString();
        const auto secret = dir.filePath("secret").toStdString();
        fs::create_directories(root + "/fsh");
        fs::create_directories(secret);
        fs::create_directory_symlink(secret, root + "/link");
        const DataRoots roots{{dir.filePath("empty").toStdString(), root}};

        QCOMPARE(roots.resolve("fsh"), root + "/fsh"); // the first root that holds it
        QCOMPARE(roots.resolve(root + "/fsh"), root + "/fsh");
        QVERIFY_THROWS_EXCEPTION(wb::Error, roots.resolve("../secret"));
        QVERIFY_THROWS_EXCEPTION(wb::Error, roots.resolve("fsh/../../secret"));
        QVERIFY_THROWS_EXCEPTION(wb::Error, roots.resolve("link"));
        QVERIFY_THROWS_EXCEPTION(wb::Error, roots.resolve(secret));
        QVERIFY_THROWS_EXCEPTION(wb::Error, roots.resolve("missing"));
        QVERIFY_THROWS_EXCEPTION(wb::Error, DataRoots{}.resolve("fsh"));
    }
};

QTEST_APPLESS_MAIN(TestDataRoots)
#include "test_data_roots.moc"
