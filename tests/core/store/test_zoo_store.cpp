// The zoo, transfer links and experiment cells in the workspace database.

#include "store_fixtures.h"

#include "wb/common/error.h"
#include "wb/store/run_store.h"

#include <QTemporaryDir>
#include <QTest>

using namespace wb::store;

namespace {

ZooEntry entry(std::int64_t run, const std::string& name)
{
    ZooEntry e;
    e.name = name;
    e.runId = run;
    e.sources = {{"A", "/data/A", "fa", 10, 1, 28}, {"B", "/data/B", "fb", 5, 1, 28}};
    e.searchConfigJson = R"({"channels": 8})";
    e.checkpoint = "/runs/1/epoch-0003.pt";
    e.checkpointSha256 = std::string(64, 'a');
    e.valAcc = 0.75;
    return e;
}

} // namespace

class TestZooStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { WB_REQUIRE_TEST_BACKEND(); }

    void zooEntriesRoundTripAndProtectTheirRun()
    {
        QTemporaryDir dir;
        auto db = RunStore::open(fixtures::dbPath(dir));
        const auto run = db.createRun({"search", "{}", 0, "/data/A", "t", "t", "", ""});
        const auto id = db.addZooEntry(entry(run, "AB"));
        const auto e = db.zooEntry(id);
        QCOMPARE(e.name, std::string("AB"));
        QCOMPARE(e.runId, run);
        QCOMPARE(int(e.sources.size()), 2);
        QCOMPARE(e.sources[1].fingerprint, std::string("fb"));
        QCOMPARE(e.classes(), 10);
        QCOMPARE(e.inChannels(), 1);
        QVERIFY(e.multi());
        QCOMPARE(*e.valAcc, 0.75);
        QCOMPARE(int(db.zoo().size()), 1);
        QVERIFY_THROWS_EXCEPTION(wb::Error, db.addZooEntry(entry(run, "AB"))); // name taken
        auto noCheckpoint = entry(run, "C");
        noCheckpoint.checkpoint.clear();
        QVERIFY_THROWS_EXCEPTION(wb::Error, db.addZooEntry(noCheckpoint));

        db.finishRun(run, wb::RunStatus::Done);
        try {
            db.deleteRun(run);
            QFAIL("a zoo run was deleted");
        } catch (const wb::Error& e) {
            QVERIFY(std::string(e.what()).find("zoo remove " + std::to_string(id)) !=
                    std::string::npos);
        }
        // A warm-started run keeps its link (and the ranking) after its source leaves the zoo.
        const auto warm = db.createRun({"search", "{}", 0, "/data/T", "t", "t", "", ""});
        db.recordTransfer({warm, id, "AB", "auto", 12.5, R"([{"zoo_id": 1}])"});
        db.removeZooEntry(id);
        QVERIFY_THROWS_EXCEPTION(wb::Error, db.removeZooEntry(id));
        const auto t = db.transfer(warm);
        QVERIFY(t);
        QVERIFY(!t->zooId);
        QCOMPARE(t->zooName, std::string("AB"));
        QCOMPARE(*t->distance, 12.5);
        QVERIFY(!db.transfer(run));
        db.deleteRun(run); // allowed once out of the zoo
    }

    void experimentCellsUpdateInPlace()
    {
        QTemporaryDir dir;
        auto db = RunStore::open(fixtures::dbPath(dir));
        const auto id = db.createExperiment(R"({"targets": ["T"]})", "/out");
        ExperimentCell a;
        a.target = "T";
        a.seed = 0;
        a.arm = "scratch";
        ExperimentCell b = a;
        b.arm = "ot";
        db.putExperimentCell(id, a);
        db.putExperimentCell(id, b);
        a.state = CellState::Done;
        a.testAcc = 0.5;
        a.seconds = 12;
        db.putExperimentCell(id, a);
        const auto e = db.experiment(id);
        QCOMPARE(e.status, std::string("running"));
        QCOMPARE(int(e.cells.size()), 2);
        QCOMPARE(e.cells[0].arm, std::string("scratch")); // order kept by the upsert
        QVERIFY(e.cells[0].state == CellState::Done);
        QVERIFY(e.cells[1].state == CellState::Pending);
        QCOMPARE(*e.cells[0].testAcc, 0.5);
        QCOMPARE(e.cells[0].seconds, 12.0);
        QVERIFY(!e.cells[1].testAcc);
        db.setExperimentStatus(id, "done");
        QCOMPARE(db.experiments().front().status, std::string("done"));
        QVERIFY_THROWS_EXCEPTION(wb::Error, db.experiment(id + 1));
    }
};

QTEST_APPLESS_MAIN(TestZooStore)
#include "test_zoo_store.moc"
