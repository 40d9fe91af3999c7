// The paired experiment as a core use case: cells go pending -> searching -> training -> done,
// an interrupted cell continues its own search run, a cell whose search has no usable
// checkpoint fails with the reason unless a restart is asked for, and the report files match
// the store.

#include "synthetic_idx.h"
#include "tiny_search.h"

#include "wb/common/error.h"
#include "wb/jobs/experiment.h"
#include "wb/store/run_store.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace wb;
using store::CellState;

namespace {

// Records every state a cell passes through; can stop the experiment at a checkpoint.
class Recorder : public jobs::ExperimentObserver, public darts::RunObserver {
public:
    std::map<std::string, std::vector<CellState>> states; // "arm/seed" -> states seen
    RunControl* control = nullptr;
    int stopAtCheckpoint = 0; // request a stop at the n-th checkpoint (0 = never)
    int checkpoints = 0;

    void onCellStarted(const store::ExperimentCell& c) override
    {
        states[key(c)].push_back(c.state);
    }
    void onCellChanged(const store::ExperimentCell& c) override
    {
        states[key(c)].push_back(c.state);
    }
    darts::RunObserver& jobObserver(const std::string&, int) override { return *this; }
    void onCheckpoint(const darts::CheckpointInfo&) override
    {
        if (++checkpoints == stopAtCheckpoint && control) control->requestStop();
    }

private:
    static std::string key(const store::ExperimentCell& c)
    {
        return c.arm + "/" + std::to_string(c.seed);
    }
};

std::string readFile(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

class TestExperiment : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        std::filesystem::create_directory(target());
        test::writeSeparableIdx(target(), 3, 12, 8, 3);
    }

    void cellsRunToDoneThroughTheirStates()
    {
        const auto db = path("done.sqlite");
        auto spec = tinySpec(1);
        spec.seeds = {0, 1};
        const auto opened = jobs::openExperiment(db, spec, path("out-done"));
        QVERIFY(!opened.resumed);
        RunControl control;
        Recorder rec;
        const auto outcome = jobs::runExperiment(db, opened.id, spec, {}, control, rec);
        QVERIFY(!outcome.stopped);
        QCOMPARE(int(outcome.done.size()), 2);
        QVERIFY(outcome.failed.empty());
        const std::vector<CellState> expected = {CellState::Pending, CellState::Searching,
                                                 CellState::Training, CellState::Done};
        QVERIFY(rec.states["scratch/0"] == expected);
        QVERIFY(rec.states["scratch/1"] == expected);

        auto store = store::RunStore::open(db);
        const auto record = store.experiment(opened.id);
        QCOMPARE(record.status, std::string("done"));
        QCOMPARE(int(record.cells.size()), 2);
        for (const auto& c : record.cells) {
            QVERIFY(c.state == CellState::Done);
            QVERIFY(c.searchRunId && c.trainRunId && c.testAcc);
            QCOMPARE(store.run(*c.searchRunId).kind, std::string("search"));
            QCOMPARE(store.run(*c.trainRunId).kind, std::string("train"));
            QCOMPARE(store.run(*c.searchRunId).epochs, 1);
            // Search plus retraining wall time, both recorded.
            QVERIFY(c.seconds >= store.run(*c.searchRunId).seconds);
        }
        // The same spec again finds no unfinished experiment: a new one.
        QVERIFY(!jobs::openExperiment(db, spec, path("out-done2")).resumed);

        const auto rows = jobs::writeExperimentReport(store, opened.id);
        QCOMPARE(int(rows.size()), 1);
        QCOMPARE(rows[0].seeds, 2);
        QCOMPARE(rows[0].target, std::string("target"));
        const auto csv = readFile(path("out-done") + "/results.csv");
        QVERIFY(csv.rfind("target,arm,seeds,failed,", 0) == 0);
        QVERIFY2(csv.find("\ntarget,scratch,2,0,") != std::string::npos, csv.c_str());
        QVERIFY(readFile(path("out-done") + "/results.md").find("| target | scratch |") !=
                std::string::npos);
    }

    void interruptedCellContinuesItsSearch()
    {
        const auto db = path("resume.sqlite");
        const auto spec = tinySpec(2);
        const auto id = jobs::openExperiment(db, spec, path("out-resume")).id;
        QVERIFY(stopAtFirstCheckpoint(db, id, spec)); // after epoch 1 of 2
        std::int64_t searchRun = 0;
        {
            auto store = store::RunStore::open(db);
            const auto record = store.experiment(id);
            QCOMPARE(record.status, std::string("cancelled"));
            QVERIFY(record.cells[0].state == CellState::Searching);
            searchRun = *record.cells[0].searchRunId;
            QCOMPARE(store.run(searchRun).epochs, 1);
        }
        // The same spec finds the unfinished experiment; its cell resumes the same run.
        const auto again = jobs::openExperiment(db, spec, {});
        QVERIFY(again.resumed);
        QCOMPARE(again.id, id);
        RunControl control2;
        Recorder rec2;
        const auto outcome = jobs::runExperiment(db, id, spec, {}, control2, rec2);
        QVERIFY(!outcome.stopped);
        QCOMPARE(int(outcome.done.size()), 1);
        auto store = store::RunStore::open(db);
        const auto cell = store.experiment(id).cells[0];
        QCOMPARE(*cell.searchRunId, searchRun);
        QCOMPARE(store.run(searchRun).epochs, 2); // epoch 1 kept, epoch 2 added, none twice
        QCOMPARE(int(store.epochs(searchRun).size()), 2);
        QCOMPARE(store.epochs(searchRun)[1].epoch, 2);
        QVERIFY(cell.state == CellState::Done);
    }

    void interruptedCellContinuesItsTraining()
    {
        const auto db = path("retrain.sqlite");
        auto spec = tinySpec(1);
        spec.retrainEpochs = 2;
        const auto id = jobs::openExperiment(db, spec, path("out-retrain")).id;
        {
            // Checkpoint 1 is the search's; 2 is the training's first epoch.
            RunControl control;
            Recorder rec;
            rec.control = &control;
            rec.stopAtCheckpoint = 2;
            QVERIFY(jobs::runExperiment(db, id, spec, {}, control, rec).stopped);
        }
        std::int64_t trainRun = 0;
        {
            auto store = store::RunStore::open(db);
            const auto cell = store.experiment(id).cells[0];
            QVERIFY(cell.state == CellState::Training);
            trainRun = *cell.trainRunId;
            QCOMPARE(store.run(trainRun).epochs, 1);
            QVERIFY(!store.run(trainRun).testAcc); // stopped: not tested
        }
        RunControl control;
        Recorder rec;
        QVERIFY(!jobs::runExperiment(db, id, spec, {}, control, rec).stopped);
        auto store = store::RunStore::open(db);
        const auto cell = store.experiment(id).cells[0];
        QVERIFY(cell.state == CellState::Done);
        QCOMPARE(*cell.trainRunId, trainRun); // the same training, continued
        const auto run = store.run(trainRun);
        QCOMPARE(run.epochs, 2);
        QVERIFY(run.testAcc && cell.testAcc);
        QCOMPARE(*cell.testAcc, *run.testAcc);
        QCOMPARE(int(store.listRuns().size()), 2); // one search, one training
    }

    void cellWithoutUsableCheckpointFailsUnlessRestarted()
    {
        const auto db = path("lost.sqlite");
        const auto spec = tinySpec(2);
        const auto id = jobs::openExperiment(db, spec, path("out-lost")).id;
        QVERIFY(stopAtFirstCheckpoint(db, id, spec));
        std::int64_t searchRun = 0;
        {
            auto store = store::RunStore::open(db);
            searchRun = *store.experiment(id).cells[0].searchRunId;
            for (const auto& c : store.checkpoints(searchRun))
                std::filesystem::remove(c.info.path);
        }
        RunControl control2;
        Recorder rec2;
        auto outcome = jobs::runExperiment(db, id, spec, {}, control2, rec2);
        QCOMPARE(int(outcome.failed.size()), 1);
        QVERIFY(outcome.done.empty());
        const auto& error = outcome.failed[0].error;
        QVERIFY2(error.find("no usable checkpoint") != std::string::npos, error.c_str());
        QVERIFY2(error.find("missing") != std::string::npos, error.c_str());
        {
            auto store = store::RunStore::open(db);
            QCOMPARE(store.experiment(id).status, std::string("failed")); // every cell failed
            QCOMPARE(store.run(searchRun).epochs, 1); // the old run is left as it was
        }

        // Without the restart a failed cell stays failed: nothing runs again.
        RunControl control3;
        Recorder rec3;
        outcome = jobs::runExperiment(db, id, spec, {}, control3, rec3);
        QCOMPARE(int(outcome.failed.size()), 1);
        QVERIFY(rec3.states.empty());
        QCOMPARE(int(store::RunStore::open(db).listRuns().size()), 1);

        // Asked for, the restart searches that cell again in a new run.
        jobs::ExperimentOptions restart;
        restart.restartUnresumable = true;
        RunControl control4;
        Recorder rec4;
        outcome = jobs::runExperiment(db, id, spec, restart, control4, rec4);
        QCOMPARE(int(outcome.done.size()), 1);
        auto store = store::RunStore::open(db);
        const auto cell = store.experiment(id).cells[0];
        QVERIFY(*cell.searchRunId != searchRun);
        QCOMPARE(store.run(*cell.searchRunId).epochs, 2);
        QCOMPARE(store.experiment(id).status, std::string("done"));
    }

    void warmArmWithoutZooFailsWithoutARun()
    {
        const auto db = path("nozoo.sqlite");
        auto spec = tinySpec(1);
        spec.arms = {"ot"};
        const auto id = jobs::openExperiment(db, spec, path("out-nozoo")).id;
        RunControl control;
        Recorder rec;
        const auto outcome = jobs::runExperiment(db, id, spec, {}, control, rec);
        QCOMPARE(int(outcome.failed.size()), 1);
        QVERIFY2(outcome.failed[0].error.find("zoo") != std::string::npos,
                 outcome.failed[0].error.c_str());
        QVERIFY(!outcome.failed[0].searchRunId);
        QVERIFY(store::RunStore::open(db).listRuns().empty());
    }

    void specRoundTripsAndChecksTargets()
    {
        auto spec = tinySpec(3);
        spec.arms = {"scratch", "multi"};
        spec.seeds = {4, 7};
        spec.distance.inner = "gaussian";
        spec.distance.config.embedDim = 16;
        const auto back = jobs::ExperimentSpec::fromJson(spec.toJson());
        QCOMPARE(back.toJson(), spec.toJson());
        // The thread count is not part of what makes an experiment the same.
        auto threads = spec;
        threads.search.runtime.threads = 2;
        QCOMPARE(threads.identity(), spec.identity());
        QVERIFY(threads.toJson() != spec.toJson());

        spec.targets.push_back(path("absent"));
        QVERIFY_THROWS_EXCEPTION(Error, spec.validate());
        QVERIFY_THROWS_EXCEPTION(Error, jobs::ExperimentSpec::fromJson(R"({"targets": 3})"));
    }

private:
    // Runs experiment `id` until its first checkpoint is written, then stops it; true when the
    // experiment reports the stop.
    static bool stopAtFirstCheckpoint(const std::string& db, std::int64_t id,
                                      const jobs::ExperimentSpec& spec)
    {
        RunControl control;
        Recorder rec;
        rec.control = &control;
        rec.stopAtCheckpoint = 1;
        return jobs::runExperiment(db, id, spec, {}, control, rec).stopped;
    }
    std::string path(const std::string& name) const
    {
        return m_dir.path().toStdString() + "/" + name;
    }
    std::string target() const { return path("target"); }
    jobs::ExperimentSpec tinySpec(int epochs) const
    {
        jobs::ExperimentSpec s;
        s.targets = {target()};
        s.arms = {"scratch"};
        s.seeds = {0};
        s.search = test::tinySearchConfig("-", epochs);
        s.retrainEpochs = 1;
        s.retrainChannels = 4;
        s.retrainLayers = 2;
        return s;
    }
    QTemporaryDir m_dir;
};

QTEST_APPLESS_MAIN(TestExperiment)
#include "test_experiment.moc"
