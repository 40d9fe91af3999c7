#include "store_fixtures.h"

#include "wb/common/error.h"
#include "wb/store/run_store.h"
#include "wb/store/store_writer.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include <QTemporaryDir>
#include <QTest>

using namespace wb;
using namespace wb::store;
using namespace fixtures;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// Polls `fn` for up to `limit`; the writer thread works on its own schedule.
template <class Fn> bool eventually(Fn&& fn, std::chrono::milliseconds limit = 5000ms)
{
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (fn()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return fn();
}

} // namespace

class TestStoreWriter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { WB_REQUIRE_TEST_BACKEND(); }

    void writesEverythingAndFinishes()
    {
        QTemporaryDir dir;
        const auto path = dbPath(dir);
        const auto id = RunStore::open(path).createRun(sampleRun());
        {
            StoreWriter::Options options;
            options.stepBatch = 100;
            StoreWriter writer(path, id, options);
            writer.onDataset(sampleDataset());
            for (int e = 1; e <= 3; ++e) {
                for (int s = 1; s <= 1000; ++s)
                    writer.onStep(sampleStep(e, s));
                writer.onEpoch(sampleEpoch(e));
                writer.onAlphas(sampleAlphas(e));
            }
            writer.onIssue({wb::Severity::Warning, "collapse.skip", "skips", 3});
            writer.finish(wb::RunStatus::Done);
            QVERIFY(!writer.error());
        }
        auto store = RunStore::open(path);
        const auto steps = store.steps(id);
        QCOMPARE(steps.size(), std::size_t(3000));
        QCOMPARE(steps.back().epoch, 3);
        QCOMPARE(steps.back().step, 1000);
        QCOMPARE(steps.back().trainLoss, sampleStep(3, 1000).trainLoss);
        QCOMPARE(store.epochs(id).size(), std::size_t(3));
        QCOMPARE(store.alphas(id).size(), std::size_t(3));
        QCOMPARE(store.issues(id).size(), std::size_t(1));
        const auto details = store.run(id);
        QVERIFY(details.status == wb::RunStatus::Done);
        QVERIFY(details.dataset.has_value());
    }

    void stepsWaitForABatchAndFlushForcesThem()
    {
        QTemporaryDir dir;
        const auto path = dbPath(dir);
        auto reader = RunStore::open(path);
        const auto id = reader.createRun(sampleRun());
        StoreWriter::Options options;
        options.stepBatch = 500;
        options.stepFlushSeconds = 60; // only the batch size or flush() may write steps
        const auto created = RawDb(path).text("SELECT heartbeat_at FROM runs");
        StoreWriter writer(path, id, options);
        // The writer's first heartbeat also writes whatever is queued: let it pass first.
        QVERIFY(eventually(
            [&] { return RawDb(path).text("SELECT heartbeat_at FROM runs") != created; }));

        for (int s = 1; s < 500; ++s)
            writer.onStep(sampleStep(1, s));
        std::this_thread::sleep_for(200ms);
        QCOMPARE(reader.steps(id).size(), std::size_t(0)); // still queued: batched
        writer.onStep(sampleStep(1, 500));                 // the batch is full
        QVERIFY(eventually([&] { return reader.steps(id).size() == 500; }));

        for (int s = 501; s <= 510; ++s)
            writer.onStep(sampleStep(1, s));
        writer.flush();
        QCOMPARE(reader.steps(id).size(), std::size_t(510));

        writer.onEpoch(sampleEpoch(1)); // non-step values are written promptly
        QVERIFY(eventually([&] { return reader.epochs(id).size() == 1; }, 2000ms));
    }

    void closeFlushesWhatIsQueued()
    {
        QTemporaryDir dir;
        const auto path = dbPath(dir);
        const auto id = RunStore::open(path).createRun(sampleRun());
        StoreWriter::Options options;
        options.stepFlushSeconds = 60;
        {
            StoreWriter writer(path, id, options);
            for (int s = 1; s <= 123; ++s)
                writer.onStep(sampleStep(2, s));
        } // destructor: close()
        QCOMPARE(RunStore::open(path).steps(id).size(), std::size_t(123));
    }

    void beatsTheHeartbeat()
    {
        QTemporaryDir dir;
        const auto path = dbPath(dir);
        const auto id = RunStore::open(path).createRun(sampleRun());
        RawDb raw(path);
        raw.exec("UPDATE runs SET heartbeat_at = heartbeat_at - 3600");
        const auto old = raw.scalar("SELECT CAST(heartbeat_at AS INTEGER) FROM runs");
        StoreWriter::Options options;
        options.heartbeatSeconds = 0.05;
        StoreWriter writer(path, id, options);
        QVERIFY(eventually([&] {
            return raw.scalar("SELECT CAST(heartbeat_at AS INTEGER) FROM runs") > old + 3000;
        }));
        const auto first = raw.text("SELECT heartbeat_at FROM runs");
        QVERIFY(eventually([&] { return raw.text("SELECT heartbeat_at FROM runs") != first; }));
    }

    void writeErrorIsKeptNotThrown()
    {
        WB_SQLITE_ONLY();
        QTemporaryDir dir;
        const auto path = dbPath(dir);
        auto store = RunStore::open(path);
        const auto id = store.createRun(sampleRun());
        store.recordEpoch(id, sampleEpoch(1));
        store.limitSize(std::int64_t(fs::file_size(path))); // the "disk" is full now
        StoreWriter::Options options;
        options.stepBatch = 1000;
        StoreWriter writer(std::move(store), id, options);
        for (int s = 1; s <= 20000; ++s)
            writer.onStep(sampleStep(2, s)); // never throws
        writer.flush();
        QVERIFY(writer.error().has_value());
        QVERIFY2(writer.error()->find("full") != std::string::npos, writer.error()->c_str());
        writer.onEpoch(sampleEpoch(2)); // dropped, still no exception
        writer.finish(wb::RunStatus::Failed, "stopped: metrics could not be saved");

        auto fresh = RunStore::open(path);
        QCOMPARE(fresh.epochs(id).size(), std::size_t(1)); // the earlier row survived
        const auto details = fresh.run(id);
        QVERIFY(details.status == wb::RunStatus::Failed);
        QVERIFY2(details.error.find("metrics incomplete") != std::string::npos,
                 details.error.c_str());
    }

    void removesCheckpointFilesNoLongerReferenced()
    {
        QTemporaryDir dir;
        const auto path = dbPath(dir);
        const auto id = RunStore::open(path).createRun(sampleRun());
        const auto folder = fs::path(dir.path().toStdString());
        std::vector<std::string> files;
        for (int e = 1; e <= 3; ++e) {
            // (Appending instead of "e" + to_string(e): GCC 12 warns falsely on the latter.)
            std::string name = "e";
            name += std::to_string(e);
            files.push_back((folder / (name + ".pt")).string());
            writeBytes(files.back(), "checkpoint");
        }
        {
            StoreWriter writer(path, id);
            writer.onCheckpoint({1, files[0], "1", 0.3, true});
            writer.onCheckpoint({2, files[1], "2", 0.2, false});
            writer.flush();
            QVERIFY(fs::exists(files[0])); // still the best
            writer.onCheckpoint({3, files[2], "3", 0.4, true});
        }
        QVERIFY(!fs::exists(files[0]));
        QVERIFY(!fs::exists(files[1]));
        QVERIFY(fs::exists(files[2]));
    }

    void unknownRunFailsOnTheCallersThread()
    {
        QTemporaryDir dir;
        const auto path = dbPath(dir);
        RunStore::open(path);
        QVERIFY_THROWS_EXCEPTION(Error, [&] { StoreWriter writer(path, 7); }());
    }
};

QTEST_APPLESS_MAIN(TestStoreWriter)
#include "test_store_writer.moc"
