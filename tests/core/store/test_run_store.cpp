#include "store/schema.h"
#include "store_fixtures.h"

#include "wb/common/error.h"
#include "wb/store/run_filter.h"
#include "wb/store/run_store.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <random>
#include <thread>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QTest>

using namespace wb;
using namespace wb::store;
using namespace fixtures;
namespace fs = std::filesystem;

namespace {

// Expects `fn` to throw wb::Error whose message contains every fragment; returns the message.
template <class Fn> std::string expectError(Fn&& fn, std::initializer_list<std::string> fragments)
{
    try {
        fn();
    } catch (const Error& e) {
        const std::string message = e.what();
        if (std::getenv("WB_SHOW_ERRORS")) qInfo("%s", message.c_str());
        for (const auto& f : fragments)
            if (message.find(f) == std::string::npos)
                qWarning("message '%s' lacks '%s'", message.c_str(), f.c_str());
        for (const auto& f : fragments)
            if (message.find(f) == std::string::npos) return "MISSING: " + f;
        return message;
    }
    return "NO ERROR";
}

bool ok(const std::string& message)
{
    return message.rfind("MISSING", 0) != 0 && message != "NO ERROR";
}

bool sameOrBothNaN(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

// A SQLite file as version `version` of the schema wrote it (its migrations, nothing later).
bool atVersion(RawDb& raw, int version)
{
    for (int v = 0; v < version; ++v)
        if (raw.exec(migrations().at(std::size_t(v)).sql) != SQLITE_OK) return false;
    return raw.exec("PRAGMA application_id = " + std::to_string(kApplicationId) +
                    "; PRAGMA user_version = " + std::to_string(version)) == SQLITE_OK;
}

} // namespace

class TestRunStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { WB_REQUIRE_TEST_BACKEND(); }

    void roundTripKeepsExactValues()
    {
        QTemporaryDir dir;
        const auto path = dbPath(dir); // the folder does not exist yet
        auto store = RunStore::open(path);
        if (!onPostgres()) QVERIFY(fs::exists(path));
        const auto id = store.createRun(sampleRun());
        QCOMPARE(id, std::int64_t(1));

        store.recordDataset(id, sampleDataset());
        auto e1 = sampleEpoch(1);
        e1.valLoss = std::numeric_limits<double>::quiet_NaN(); // SQLite stores NaN as NULL
        store.recordEpoch(id, e1);
        store.recordEpoch(id, sampleEpoch(2));
        std::vector<darts::StepMetrics> steps;
        for (int s = 1; s <= 5; ++s)
            steps.push_back(sampleStep(1, s));
        steps[2].alphaLoss = std::numeric_limits<double>::quiet_NaN();
        store.recordSteps(id, steps);
        store.recordAlphas(id, sampleAlphas(1));
        store.recordAlphas(id, sampleAlphas(2));
        store.recordIssue(id, {wb::Severity::Warning, "collapse.skip", "3 skips", 2});
        store.recordIssue(id, {wb::Severity::Error, "loss.nan", "NaN loss", 1});
        store.recordCheckpoint(id, {2, "/tmp/ckpt-2.pt", std::string(64, 'b'), 0.22, true});
        store.finishRun(id, wb::RunStatus::Done);

        const auto epochs = store.epochs(id);
        QCOMPARE(epochs.size(), std::size_t(2));
        const auto expected2 = sampleEpoch(2);
        QCOMPARE(epochs[1].epoch, 2);
        QCOMPARE(epochs[1].trainLoss, expected2.trainLoss);
        QCOMPARE(epochs[1].trainAcc, expected2.trainAcc);
        QCOMPARE(epochs[1].valLoss, expected2.valLoss);
        QCOMPARE(epochs[1].valAcc, expected2.valAcc);
        QCOMPARE(epochs[1].lr, expected2.lr);
        QCOMPARE(epochs[1].seconds, expected2.seconds);
        QVERIFY(std::isnan(epochs[0].valLoss));

        const auto readSteps = store.steps(id);
        QCOMPARE(readSteps.size(), steps.size());
        for (std::size_t i = 0; i < steps.size(); ++i) {
            QCOMPARE(readSteps[i].epoch, steps[i].epoch);
            QCOMPARE(readSteps[i].step, steps[i].step);
            QCOMPARE(readSteps[i].stepsPerEpoch, steps[i].stepsPerEpoch);
            QCOMPARE(readSteps[i].trainLoss, steps[i].trainLoss);
            QCOMPARE(readSteps[i].trainAcc, steps[i].trainAcc);
            QVERIFY(sameOrBothNaN(readSteps[i].alphaLoss, steps[i].alphaLoss));
            QCOMPARE(readSteps[i].lr, steps[i].lr);
            QCOMPARE(readSteps[i].seconds, steps[i].seconds);
        }

        const auto alphas = store.alphas(id);
        QCOMPARE(alphas.size(), std::size_t(2));
        const auto a2 = sampleAlphas(2);
        QCOMPARE(alphas[1].epoch, 2);
        QCOMPARE(alphas[1].edges, a2.edges);
        QVERIFY(alphas[1].ops == a2.ops);
        QVERIFY(alphas[1].normal == a2.normal); // bit-exact float32
        QVERIFY(alphas[1].reduce == a2.reduce);
        QVERIFY(alphas[1].genotype == a2.genotype);
        QCOMPARE(alphas[1].signals.skipNormal, 2);
        QCOMPARE(alphas[1].signals.skipReduce, 3);
        QCOMPARE(alphas[1].signals.paramFreeNormal, 0.25);
        QCOMPARE(alphas[1].signals.paramFreeReduce, 0.5);
        QCOMPARE(alphas[1].signals.entropyNormal, 1.75);
        QCOMPARE(alphas[1].signals.entropyReduce, 2.0 - 1e-12);

        const auto issues = store.issues(id);
        QCOMPARE(issues.size(), std::size_t(2));
        QCOMPARE(q(issues[0].code), QString("collapse.skip"));
        QVERIFY(issues[0].severity == wb::Severity::Warning);
        QCOMPARE(q(issues[0].message), QString("3 skips"));
        QCOMPARE(issues[0].epoch, 2);
        QVERIFY(issues[1].severity == wb::Severity::Error);

        const auto checkpoints = store.checkpoints(id);
        QCOMPARE(checkpoints.size(), std::size_t(2)); // last and best
        for (const auto& c : checkpoints) {
            QCOMPARE(q(c.info.path), QString("/tmp/ckpt-2.pt"));
            QCOMPARE(c.info.epoch, 2);
            QCOMPARE(c.info.valAcc, 0.22);
            QCOMPARE(q(c.info.sha256), q(std::string(64, 'b')));
        }

        const auto runs = store.listRuns();
        QCOMPARE(runs.size(), std::size_t(1));
        QCOMPARE(runs[0].id, id);
        QCOMPARE(q(runs[0].kind), QString("search"));
        QVERIFY(runs[0].status == wb::RunStatus::Done);
        QCOMPARE(runs[0].epochs, 2);
        QVERIFY(runs[0].bestValAcc.has_value());
        QCOMPARE(*runs[0].bestValAcc, expected2.valAcc);
        QCOMPARE(runs[0].seconds, e1.seconds + expected2.seconds);
        QCOMPARE(q(runs[0].datasetFingerprint), q(std::string(64, 'a')));
        QVERIFY(runs[0].finishedAt.has_value());
        QVERIFY(*runs[0].finishedAt >= runs[0].startedAt);

        const auto details = store.run(id);
        QCOMPARE(q(details.configJson), q(sampleRun().configJson));
        QCOMPARE(details.seed, sampleRun().seed);
        QCOMPARE(q(details.appVersion), QString("0.1.0"));
        QCOMPARE(q(details.libraryVersions), QString("libtorch 2.1.2"));
        QCOMPARE(q(details.sqliteVersion),
                 onPostgres() ? q("PostgreSQL " + RawDb(path).text("SHOW server_version"))
                              : QString(sqlite3_libversion()));
        QCOMPARE(details.pid, std::int64_t(getpid()));
        QVERIFY(!details.host.empty());
        QCOMPARE(q(details.directory), q(store.runDirectory(id)));
        QVERIFY(details.error.empty());
        QVERIFY(details.genotype.has_value());
        QVERIFY(*details.genotype == sampleGenotype());
        QVERIFY(details.dataset.has_value());
        const auto d = sampleDataset();
        QVERIFY(details.dataset->classNames == d.classNames);
        QVERIFY(details.dataset->classCounts == d.classCounts);
        QCOMPARE(q(details.dataset->format), QString("idx"));
        QCOMPARE(details.dataset->imageSize, 28);
        QCOMPARE(details.dataset->trainImages, 15);
        QCOMPARE(details.dataset->valImages, 8);
        QCOMPARE(details.dataset->testImages, 8);
    }

    void epochReRunReplacesTheRow()
    {
        QTemporaryDir dir;
        auto store = RunStore::open(dbPath(dir));
        const auto id = store.createRun(sampleRun());
        store.recordEpoch(id, sampleEpoch(1));
        auto again = sampleEpoch(1);
        again.valAcc = 0.5;
        store.recordEpoch(id, again); // a resumed run repeats the epoch in flight
        const auto epochs = store.epochs(id);
        QCOMPARE(epochs.size(), std::size_t(1));
        QCOMPARE(epochs[0].valAcc, 0.5);
    }

    void largeStepBatchesKeepEveryRowAndTheLastRepeat()
    {
        QTemporaryDir dir;
        auto store = RunStore::open(dbPath(dir));
        const auto id = store.createRun(sampleRun());
        std::vector<darts::StepMetrics> steps;
        for (int s = 1; s <= 250; ++s)
            steps.push_back(sampleStep(1 + s / 120, s));
        auto again = steps[150]; // a re-run of a step within the same batch
        again.trainLoss = 42.0;
        steps.insert(steps.begin() + 160, again);
        store.recordSteps(id, steps);
        const auto read = store.steps(id);
        QCOMPARE(read.size(), std::size_t(250));
        for (std::size_t i = 0; i < read.size(); ++i) {
            QCOMPARE(read[i].step, int(i) + 1);
            QCOMPARE(read[i].trainLoss, i == 150 ? 42.0 : sampleStep(1, int(i) + 1).trainLoss);
        }
    }

    void trainRunTakesTheGenotypeFromItsConfig()
    {
        QTemporaryDir dir;
        auto store = RunStore::open(dbPath(dir));
        auto run = sampleRun();
        run.kind = "train";
        run.configJson = R"({"epochs":1,"genotype":)" + sampleGenotype().toJson() + "}";
        const auto id = store.createRun(run);
        const auto details = store.run(id);
        QVERIFY(details.genotype.has_value());
        QVERIFY(*details.genotype == sampleGenotype());
    }

    void migratesAFreshFileAndReopensIdempotently()
    {
        WB_SQLITE_ONLY();
        QTemporaryDir dir;
        const auto path = dbPath(dir);
        {
            auto store = RunStore::open(path);
            QCOMPARE(store.schemaVersion(), kSchemaVersion);
            store.createRun(sampleRun());
        }
        {
            RawDb raw(path);
            QCOMPARE(raw.text("PRAGMA journal_mode"), std::string("wal"));
            QCOMPARE(raw.scalar("PRAGMA user_version"), std::int64_t(kSchemaVersion));
            for (const char* table : {"runs", "epochs", "steps", "alphas", "collapse_signals",
                                      "issues", "checkpoints", "datasets"})
                QVERIFY2(raw.scalar(std::string("SELECT count(*) FROM sqlite_master WHERE "
                                                "type = 'table' AND name = '") +
                                    table + "'") == 1,
                         table);
        }
        const auto schemaBefore = RawDb(path).text("SELECT group_concat(sql, ';') FROM "
                                                   "sqlite_master");
        auto again = RunStore::open(path);
        QCOMPARE(again.schemaVersion(), kSchemaVersion);
        QCOMPARE(again.listRuns().size(), std::size_t(1));
        QCOMPARE(RawDb(path).text("SELECT group_concat(sql, ';') FROM sqlite_master"),
                 schemaBefore);
        auto reader = RunStore::openReadOnly(path);
        QCOMPARE(reader.listRuns().size(), std::size_t(1));
    }

    void concurrentFirstOpensBothSucceed()
    {
        for (int round = 0; round < 5; ++round) {
            QTemporaryDir dir;
            const auto path = dbPath(dir);
            std::string errors[2];
            auto open = [&](int i) {
                try {
                    RunStore::open(path).createRun(sampleRun());
                } catch (const std::exception& e) {
                    errors[i] = e.what();
                }
            };
            std::thread other(open, 1);
            open(0);
            other.join();
            QVERIFY2(errors[0].empty(), errors[0].c_str());
            QVERIFY2(errors[1].empty(), errors[1].c_str());
            QCOMPARE(RunStore::open(path).listRuns().size(), std::size_t(2));
        }
    }

    void refusesANewerSchemaWithoutTouchingIt()
    {
        WB_SQLITE_ONLY();
        QTemporaryDir dir;
        const auto path = dbPath(dir, "newer.sqlite");
        {
            RawDb raw(path);
            QCOMPARE(raw.exec("CREATE TABLE future (x); PRAGMA application_id = 1464293203; "
                              "PRAGMA user_version = 99"),
                     SQLITE_OK);
        }
        const auto before = readBytes(path);
        const auto message =
            expectError([&] { RunStore::open(path); }, {path, "newer", "99", "not modified"});
        QVERIFY2(ok(message), message.c_str());
        QVERIFY(readBytes(path) == before);
        QVERIFY(ok(expectError([&] { RunStore::openReadOnly(path); }, {path, "newer"})));
        QVERIFY(readBytes(path) == before);
        QVERIFY(!fs::exists(path + "-wal"));
    }

    void refusesAnotherProgramsDatabase()
    {
        WB_SQLITE_ONLY();
        QTemporaryDir dir;
        const auto path = dbPath(dir, "other.sqlite");
        RawDb(path).exec("CREATE TABLE contacts (name TEXT)");
        const auto before = readBytes(path);
        const auto message = expectError([&] { RunStore::open(path); }, {path, "another program"});
        QVERIFY2(ok(message), message.c_str());
        QVERIFY(readBytes(path) == before);
    }

    void refusesANonDatabaseFileNamingIt()
    {
        WB_SQLITE_ONLY();
        QTemporaryDir dir;
        const auto path = dbPath(dir, "random.bin");
        std::mt19937 rng(42);
        std::string bytes(8192, '\0');
        for (auto& b : bytes)
            b = char(rng() & 0xff);
        writeBytes(path, bytes);
        const auto message =
            expectError([&] { RunStore::open(path); }, {path, "not a SQLite database"});
        QVERIFY2(ok(message), message.c_str());
        QVERIFY(readBytes(path) == bytes);
        QVERIFY(ok(expectError([&] { RunStore::openReadOnly(path); }, {path})));
    }

    void refusesAFolderAsDatabase()
    {
        WB_SQLITE_ONLY();
        QTemporaryDir dir;
        QVERIFY(ok(expectError([&] { RunStore::open(dir.path().toStdString()); }, {"folder"})));
    }

    void readOnlyLocationGivesAClearError()
    {
        WB_SQLITE_ONLY();
        QTemporaryDir dir;
        if (geteuid() == 0) {
            // Permissions do not stop root; /proc refuses everyone.
            const std::string path = "/proc/wb-store-test/workspace.sqlite";
            const auto message = expectError([&] { RunStore::open(path); }, {path, "cannot"});
            QVERIFY2(ok(message), message.c_str());
            return;
        }
        const auto folder = fs::path(dir.path().toStdString()) / "ro";
        fs::create_directories(folder);
        ::chmod(folder.c_str(), 0555);
        const auto path = (folder / "workspace.sqlite").string();
        const auto message = expectError([&] { RunStore::open(path); }, {path});
        ::chmod(folder.c_str(), 0755);
        QVERIFY2(ok(message), message.c_str());
    }

    void lockedDatabaseTimesOutWithAClearError()
    {
        WB_SQLITE_ONLY();
        QTemporaryDir dir;
        const auto path = dbPath(dir);
        RunStore::Options options;
        options.busyTimeoutMs = 300;
        auto store = RunStore::open(path, options);
        const auto id = store.createRun(sampleRun());
        store.recordEpoch(id, sampleEpoch(1));

        RawDb other(path);
        QCOMPARE(other.exec("BEGIN EXCLUSIVE"), SQLITE_OK);
        const auto start = std::chrono::steady_clock::now();
        const auto message =
            expectError([&] { store.recordEpoch(id, sampleEpoch(2)); }, {path, "locked"});
        const auto waited = std::chrono::steady_clock::now() - start;
        QVERIFY2(ok(message), message.c_str());
        QVERIFY(waited >= std::chrono::milliseconds(250)); // the busy timeout was honoured
        QCOMPARE(store.epochs(id).size(), std::size_t(1)); // readers still work under WAL
        QCOMPARE(other.exec("COMMIT"), SQLITE_OK);
        store.recordEpoch(id, sampleEpoch(2));
        QCOMPARE(store.epochs(id).size(), std::size_t(2));
    }

    void deadProcessShowsAsInterrupted()
    {
        QTemporaryDir dir;
        const auto path = dbPath(dir);
        auto store = RunStore::open(path);
        const auto dead = store.createRun(sampleRun());
        const auto alive = store.createRun(sampleRun());
        const auto stale = store.createRun(sampleRun());

        const pid_t child = fork();
        if (child == 0) _exit(0);
        QVERIFY(child > 0);
        int status = 0;
        QCOMPARE(waitpid(child, &status, 0), child);
        RawDb raw(path);
        raw.exec("UPDATE runs SET pid = " + std::to_string(child) +
                 " WHERE id = " + std::to_string(dead));
        raw.exec("UPDATE runs SET heartbeat_at = heartbeat_at - 3600 WHERE id = " +
                 std::to_string(stale));

        // A reader reports the truth without writing.
        auto reader = RunStore::openReadOnly(path);
        QVERIFY(reader.run(dead).status == wb::RunStatus::Interrupted);
        QCOMPARE(raw.text("SELECT status FROM runs WHERE id = " + std::to_string(dead)),
                 std::string("running"));

        const auto runs = store.listRuns();
        QVERIFY(runs[0].status == wb::RunStatus::Interrupted);
        QVERIFY(runs[1].status == wb::RunStatus::Running);
        QVERIFY(runs[2].status == wb::RunStatus::Interrupted);
        QCOMPARE(raw.text("SELECT status FROM runs WHERE id = " + std::to_string(dead)),
                 std::string("interrupted"));
        QVERIFY(store.run(dead).error.find(std::to_string(child)) != std::string::npos);
        QVERIFY(store.run(stale).error.find("heartbeat") != std::string::npos);
        QVERIFY(store.run(alive).status == wb::RunStatus::Running);

        // Its owner (this process) beats again: the stale run is running after all.
        store.heartbeat(stale);
        QVERIFY(store.run(stale).status == wb::RunStatus::Running);
        QVERIFY(store.run(stale).error.empty());

        // Resume takes the dead run over for this process.
        store.resumeRun(dead);
        const auto resumed = store.run(dead);
        QVERIFY(resumed.status == wb::RunStatus::Running);
        QCOMPARE(resumed.pid, std::int64_t(getpid()));
        QVERIFY(resumed.error.empty());
        QVERIFY(!resumed.finishedAt);

        // A live run owned by another process cannot be resumed.
        raw.exec("UPDATE runs SET pid = " + std::to_string(getppid()) +
                 " WHERE id = " + std::to_string(alive));
        QVERIFY(ok(expectError([&] { store.resumeRun(alive); }, {"still running"})));
    }

    void deleteCascadesAndReturnsTheFiles()
    {
        QTemporaryDir dir;
        const auto path = dbPath(dir);
        auto store = RunStore::open(path);
        const auto keep = store.createRun(sampleRun());
        const auto id = store.createRun(sampleRun());
        for (auto run : {keep, id}) {
            store.recordDataset(run, sampleDataset());
            store.recordEpoch(run, sampleEpoch(1));
            store.recordSteps(run, {sampleStep(1, 1), sampleStep(1, 2)});
            store.recordAlphas(run, sampleAlphas(1));
            store.recordIssue(run, {wb::Severity::Info, "x", "y", 1});
        }
        store.recordCheckpoint(keep, {1, "elsewhere.pt", "00", 0.5, true});
        const auto runDir = fs::path(store.runDirectory(id));
        fs::create_directories(runDir);
        const auto last = (runDir / "last.pt").string();
        const auto best = (runDir / "best.pt").string();
        writeBytes(last, "L");
        writeBytes(best, "B");
        writeBytes(runDir / "notes.txt", "other file in the run folder");
        store.recordCheckpoint(id, {1, best, "00", 0.5, true});
        store.recordCheckpoint(id, {2, last, "00", 0.4, false});

        QVERIFY(ok(expectError([&] { store.deleteRun(id); }, {"still running"})));
        store.finishRun(id, wb::RunStatus::Done);
        const auto files = store.deleteRun(id);
        QCOMPARE(files.checkpoints.size(), std::size_t(2));
        QCOMPARE(q(files.directory), q(runDir.string()));
        QVERIFY(files.defaultDirectory);

        RawDb raw(path);
        for (const char* table :
             {"epochs", "steps", "alphas", "collapse_signals", "issues", "checkpoints"}) {
            QVERIFY2(raw.scalar(std::string("SELECT count(*) FROM ") + table +
                                " WHERE run_id = " + std::to_string(id)) == 0,
                     table);
            QVERIFY2(raw.scalar(std::string("SELECT count(*) FROM ") + table +
                                " WHERE run_id = " + std::to_string(keep)) > 0,
                     table);
        }
        QVERIFY(!store.hasRun(id));
        QVERIFY(store.hasRun(keep));
        QCOMPARE(store.listRuns().size(), std::size_t(1));

        const auto removed = removeRunFiles(files);
        QCOMPARE(removed.size(), std::size_t(3));
        QVERIFY(!fs::exists(runDir));
        QVERIFY(ok(expectError([&] { store.deleteRun(id); }, {"not found"})));
    }

    void checkpointsKeepLastAndBestAndReportStaleFiles()
    {
        QTemporaryDir dir;
        auto store = RunStore::open(dbPath(dir));
        const auto id = store.createRun(sampleRun());
        QVERIFY(store.recordCheckpoint(id, {1, "e1.pt", "1", 0.3, true}).empty());
        QVERIFY(store.recordCheckpoint(id, {2, "e2.pt", "2", 0.2, false}).empty()); // e1 is best
        const auto stale = store.recordCheckpoint(id, {3, "e3.pt", "3", 0.4, true});
        QCOMPARE(stale.size(), std::size_t(2));
        QCOMPARE(q(stale[0]), QString("e1.pt"));
        QCOMPARE(q(stale[1]), QString("e2.pt"));
        QVERIFY(store.recordCheckpoint(id, {4, "e3.pt", "3", 0.1, false}).empty()); // same file
        const auto rows = store.checkpoints(id);
        QCOMPARE(rows.size(), std::size_t(2));
    }

    void diskFullGivesAClearErrorAndKeepsEarlierRows()
    {
        WB_SQLITE_ONLY();
        QTemporaryDir dir;
        const auto path = dbPath(dir);
        auto store = RunStore::open(path);
        const auto id = store.createRun(sampleRun());
        for (int e = 1; e <= 3; ++e)
            store.recordEpoch(id, sampleEpoch(e));
        store.limitSize(std::int64_t(fs::file_size(path))); // no page may be added

        std::vector<darts::StepMetrics> steps;
        for (int s = 1; s <= 20000; ++s)
            steps.push_back(sampleStep(4, s));
        const auto message = expectError([&] { store.recordSteps(id, steps); }, {path, "full"});
        QVERIFY2(ok(message), message.c_str());
        QCOMPARE(store.epochs(id).size(), std::size_t(3));
        QCOMPARE(store.steps(id).size(), std::size_t(0)); // the batch rolled back whole
        auto fresh = RunStore::open(path);
        QCOMPARE(fresh.epochs(id).size(), std::size_t(3));
        QCOMPARE(fresh.epochs(id)[2].valAcc, sampleEpoch(3).valAcc);
        fresh.recordSteps(id, steps); // another connection has no cap
        QCOMPARE(fresh.steps(id).size(), steps.size());
    }

    void unknownRunIdIsAClearError()
    {
        QTemporaryDir dir;
        auto store = RunStore::open(dbPath(dir));
        QVERIFY(ok(expectError([&] { store.run(42); }, {"run 42 not found"})));
        QVERIFY(ok(expectError([&] { store.epochs(42); }, {"run 42 not found"})));
        QVERIFY(
            ok(expectError([&] { store.recordEpoch(42, sampleEpoch(1)); }, {"run 42 not found"})));
        QVERIFY(ok(
            expectError([&] { store.finishRun(42, wb::RunStatus::Done); }, {"run 42 not found"})));
    }

    void transactionRollsBackEverythingInside()
    {
        QTemporaryDir dir;
        auto store = RunStore::open(dbPath(dir));
        const auto id = store.createRun(sampleRun());
        QVERIFY(ok(expectError(
            [&] {
                store.transaction([&] {
                    store.recordEpoch(id, sampleEpoch(1));
                    store.recordEpoch(id + 100, sampleEpoch(1));
                });
            },
            {"not found"})));
        QCOMPARE(store.epochs(id).size(), std::size_t(0));
        store.recordEpoch(id, sampleEpoch(1)); // the connection is usable again
        QCOMPARE(store.epochs(id).size(), std::size_t(1));
    }

    void defaultWorkspaceFollowsXdg()
    {
        const char* oldXdg = std::getenv("XDG_DATA_HOME");
        const std::string saved = oldXdg ? oldXdg : "";
        setenv("XDG_DATA_HOME", "/xdg/data", 1);
        QCOMPARE(q(defaultWorkspacePath()),
                 QString("/xdg/data/supernet-workbench/workspace.sqlite"));
        setenv("XDG_DATA_HOME", "relative/ignored", 1);
        const std::string home = std::getenv("HOME") ? std::getenv("HOME") : "";
        if (!home.empty())
            QCOMPARE(q(defaultWorkspacePath()),
                     q(home + "/.local/share/supernet-workbench/workspace.sqlite"));
        if (oldXdg)
            setenv("XDG_DATA_HOME", saved.c_str(), 1);
        else
            unsetenv("XDG_DATA_HOME");
    }

    void trainingResultTagsAndNoteRoundTrip()
    {
        QTemporaryDir dir;
        auto store = RunStore::open(dbPath(dir));
        auto run = sampleRun();
        run.kind = "train";
        const auto id = store.createRun(run);
        QVERIFY(!store.run(id).testAcc);
        store.recordTest(id, {0.625, 0.8125, 39914});
        store.addTag(id, "baseline");
        store.addTag(id, "aux");
        store.addTag(id, "aux"); // twice: once
        store.setNote(id, "retrained with the auxiliary head");
        const auto r = store.run(id);
        QCOMPARE(r.role, std::string("train"));
        QCOMPARE(*r.testAcc, 0.8125);
        QCOMPARE(*r.testLoss, 0.625);
        QCOMPARE(*r.parameters, std::int64_t(39914));
        QCOMPARE(r.tags, (std::vector<std::string>{"aux", "baseline"}));
        QCOMPARE(r.note, std::string("retrained with the auxiliary head"));
        QCOMPARE(r.seed, sampleRun().seed);
        store.removeTag(id, "aux");
        store.removeTag(id, "never-added");
        QCOMPARE(store.listRuns().front().tags, std::vector<std::string>{"baseline"});
        store.setTags(id, {"paper", "final", "paper"}); // replaces the set
        QCOMPARE(store.run(id).tags, (std::vector<std::string>{"final", "paper"}));
        QVERIFY(ok(expectError([&] { store.setTags(id, {"ok", "not ok"}); }, {"must be 1-64"})));
        QCOMPARE(store.run(id).tags, (std::vector<std::string>{"final", "paper"})); // unchanged
        for (const char* bad : {"", "two words", "a,b", "x\tab"})
            QVERIFY(ok(expectError([&] { store.addTag(id, bad); }, {"must be 1-64"})));
        QVERIFY(ok(expectError([&] { store.addTag(id, std::string(65, 't')); }, {"must be"})));
        QVERIFY(ok(expectError([&] { store.setNote(99, "x"); }, {"run 99"})));
    }

    void roleTellsPretrainingsAndTransfersApart()
    {
        QTemporaryDir dir;
        auto store = RunStore::open(dbPath(dir));
        auto run = sampleRun();
        const auto plain = store.createRun(run);
        run.role = "pretrain";
        const auto pretrain = store.createRun(run);
        const auto runs = store.listRuns();
        QCOMPARE(runs.at(0).role, std::string("search")); // no role: the kind
        QCOMPARE(runs.at(1).role, std::string("pretrain"));
        QCOMPARE(runs.at(1).kind, std::string("search"));
        QCOMPARE(runs.at(0).id, plain);
        QCOMPARE(runs.at(1).id, pretrain);
    }

    void version7BackfillsRolesFromTheZooAndTransfers()
    {
        WB_SQLITE_ONLY();
        QTemporaryDir dir;
        const auto path = dbPath(dir, "v6.sqlite");
        {
            RawDb raw(path);
            QVERIFY(atVersion(raw, 6));
            for (int i = 0; i < 3; ++i)
                QCOMPARE(raw.exec("INSERT INTO runs (kind, status, config, seed, dataset_path, "
                                  "directory, app_version, library_versions, sqlite_version, "
                                  "host, pid, started_at, heartbeat_at) VALUES ('search', 'done', "
                                  "'{}', 1, '/d', '/r', '0.1', 'x', '3', 'h', 1, 1, 1)"),
                         SQLITE_OK);
            QCOMPARE(raw.exec("INSERT INTO zoo VALUES (1, 'src', 2, 1, '[]', '{}', '/c', 'h', "
                              "0.5)"),
                     SQLITE_OK);
            QCOMPARE(raw.exec("INSERT INTO transfers VALUES (3, 1, 'src', 'auto', 1.5, '[]')"),
                     SQLITE_OK);
        }
        auto store = RunStore::open(path);
        QCOMPARE(store.schemaVersion(), kSchemaVersion);
        const auto runs = store.listRuns();
        QCOMPARE(runs.size(), std::size_t(3));
        QCOMPARE(runs[0].role, std::string("search"));
        QCOMPARE(runs[1].role, std::string("pretrain"));
        QCOMPARE(runs[2].role, std::string("transfer"));
        QCOMPARE(runs[2].warmStart, std::string("src"));
        QVERIFY(!runs[0].testAcc);
        QVERIFY(runs[0].tags.empty());
    }

    // Queued experiments whose cells all ended before their status followed the jobs are
    // settled by the upgrade; one run in a single process (no jobs) keeps its status.
    void version8SettlesQueuedExperiments()
    {
        WB_SQLITE_ONLY();
        QTemporaryDir dir;
        const auto path = dbPath(dir, "v7.sqlite");
        {
            RawDb raw(path);
            QVERIFY(atVersion(raw, 7));
            for (int e = 1; e <= 4; ++e)
                QCOMPARE(raw.exec("INSERT INTO experiments VALUES (" + std::to_string(e) +
                                  ", 1, '{}', 'running', '/out')"),
                         SQLITE_OK);
            const auto job = [&](int experiment, const char* state) {
                QCOMPARE(raw.exec(std::string("INSERT INTO jobs (kind, spec, device, state, "
                                              "wait_for, attempt, failures, max_attempts, worker, "
                                              "experiment_id, errors, created_at) VALUES "
                                              "('experiment-cell', '{}', 'cpu', '") +
                                  state + "', '[]', 1, 0, 3, '', " + std::to_string(experiment) +
                                  ", '[]', 1)"),
                         SQLITE_OK);
            };
            job(1, "done");
            job(1, "failed");
            job(2, "failed");
            job(3, "done");
            job(3, "queued");
        }
        auto store = RunStore::open(path);
        std::vector<std::string> status;
        for (const auto& e : store.experiments())
            status.push_back(e.status);
        QCOMPARE(status, (std::vector<std::string>{"done", "failed", "running", "running"}));
    }

    void filterSelectsAndOrdersRuns()
    {
        std::vector<RunSummary> runs(5);
        for (int i = 0; i < 5; ++i) {
            runs[i].id = i + 1;
            runs[i].role = i < 3 ? "search" : "train";
            runs[i].status = i == 1 ? RunStatus::Failed : RunStatus::Done;
            runs[i].datasetPath = i % 2 ? "/data/fashion-mnist" : "/data/kmnist";
            runs[i].datasetFingerprint = i % 2 ? "abc123" : "def456";
            runs[i].startedAt = 100.0 - i; // started in reverse id order
            runs[i].seconds = 10.0 * ((i * 3) % 5);
        }
        runs[0].bestValAcc = 0.5;
        runs[2].bestValAcc = 0.9;
        runs[3].testAcc = 0.7;
        runs[4].testAcc = 0.8;
        runs[4].tags = {"paper"};
        const auto ids = [&](const RunFilter& f) {
            std::vector<std::int64_t> out;
            for (const auto& r : filterRuns(runs, f))
                out.push_back(r.id);
            return out;
        };
        using Ids = std::vector<std::int64_t>;
        QCOMPARE(ids({}), (Ids{1, 2, 3, 4, 5}));
        QCOMPARE(ids({.role = "train"}), (Ids{4, 5}));
        QCOMPARE(ids({.status = "failed"}), (Ids{2}));
        runs[2].stopReason = "stopped at epoch 3: 3 skip_connect edges";
        QCOMPARE(ids({.status = "stopped"}), (Ids{3})); // done, but stopped early
        QCOMPARE(ids({.status = "done"}), (Ids{1, 4, 5}));
        runs[2].stopReason.clear();
        QCOMPARE(ids({.dataset = "fashion"}), (Ids{2, 4}));
        QCOMPARE(ids({.dataset = "def"}), (Ids{1, 3, 5})); // a fingerprint prefix
        QCOMPARE(ids({.dataset = "456"}), Ids{});          // not a prefix, not in the path
        QCOMPARE(ids({.tag = "paper"}), (Ids{5}));
        QCOMPARE(ids({.order = RunOrder::Started}), (Ids{5, 4, 3, 2, 1}));
        QCOMPARE(ids({.order = RunOrder::BestVal}), (Ids{3, 1, 2, 4, 5})); // missing last
        QCOMPARE(ids({.order = RunOrder::TestAcc, .limit = 1}), (Ids{5}));
        QCOMPARE(ids({.order = RunOrder::Seconds}), (Ids{4, 2, 5, 3, 1})); // 40 30 20 10 0 s
        QCOMPARE(ids({.limit = 2}), (Ids{4, 5}));                          // the newest two
        QCOMPARE(ids({.reverse = true, .limit = 2}), (Ids{5, 4}));
        QCOMPARE(parseRunOrder("test"), RunOrder::TestAcc);
        QVERIFY(ok(expectError([] { parseRunOrder("acc"); }, {"--sort acc", "val"})));
        QVERIFY(ok(expectError([] { requireKnownRole("serch"); }, {"--kind serch", "transfer"})));
        QVERIFY(ok(expectError([] { requireKnownStatus("ok"); }, {"--status ok", "stopped"})));
    }

    void isoTimeIsUtc()
    {
        QCOMPARE(q(isoTime(0)), QString());
        QCOMPARE(q(isoTime(1700000000.75)), QString("2023-11-14T22:13:20Z"));
    }
};

QTEST_APPLESS_MAIN(TestRunStore)
#include "test_run_store.moc"
