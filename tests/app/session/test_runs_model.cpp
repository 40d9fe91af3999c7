#include "demo_workspace.h"
#include "runs_model.h"

#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QTest>

using wb::session::RunsModel;

class TestRunsModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("ws.sqlite")).toStdString();
        m_ids = wb::test::writeDemoWorkspace(m_path);
    }

    void passesTheModelTester()
    {
        RunsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto store = wb::store::RunStore::openReadOnly(m_path);
        model.setSnapshot(wb::session::WorkspaceSnapshot::read(store));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(RunsModel::ColumnCount));
        model.setSnapshot(
            wb::session::WorkspaceSnapshot::read(store)); // a reset with the same rows
        model.setRuns({});
        QCOMPARE(model.rowCount(), 0);
    }

    void showsTheStoredValues()
    {
        RunsModel model;
        auto store = wb::store::RunStore::openReadOnly(m_path);
        model.setSnapshot(wb::session::WorkspaceSnapshot::read(store));
        const int row = model.rowOfRun(m_ids.finished);
        QVERIFY(row >= 0);
        const auto text = [&](int column) { return model.index(row, column).data().toString(); };
        QCOMPARE(text(RunsModel::Id), QString::number(m_ids.finished));
        QCOMPARE(text(RunsModel::Kind), QStringLiteral("search"));
        QCOMPARE(text(RunsModel::Status), QStringLiteral("done"));
        QCOMPARE(text(RunsModel::Dataset), QStringLiteral("shapes")); // trailing slash dropped
        QCOMPARE(text(RunsModel::Epochs), QStringLiteral("3"));
        QCOMPARE(text(RunsModel::BestValAcc), QStringLiteral("42.0%")); // 0.3 + 0.04 * 3
        QCOMPARE(text(RunsModel::Seconds), QStringLiteral("6.0"));
        QCOMPARE(model.index(row, 0).data(RunsModel::RunIdRole).toLongLong(), m_ids.finished);
        const int failed = model.rowOfRun(m_ids.failed);
        QCOMPARE(model.index(failed, RunsModel::Status).data().toString(),
                 QStringLiteral("failed"));
        QCOMPARE(model.rowOfRun(999), -1);
    }

    void showsRolesTestAccuraciesAndTags()
    {
        std::vector<wb::store::RunSummary> runs(2);
        runs[0].id = 1;
        runs[0].kind = "search";
        runs[0].role = "pretrain";
        runs[1].id = 2;
        runs[1].kind = runs[1].role = "train";
        runs[1].testAcc = 0.8125;
        runs[1].tags = {"aux", "paper"};
        RunsModel model;
        model.setRuns(runs);
        const auto text = [&](int row, int column) {
            return model.index(row, column).data().toString();
        };
        QCOMPARE(text(0, RunsModel::Kind), QStringLiteral("pretrain"));
        QCOMPARE(text(0, RunsModel::TestAcc), QString());
        QCOMPARE(text(1, RunsModel::TestAcc), QStringLiteral("81.3%")); // one accuracy format
        QCOMPARE(model.index(1, RunsModel::TestAcc).data(RunsModel::SortRole).toDouble(), 0.8125);
        QCOMPARE(text(1, RunsModel::Tags), QStringLiteral("aux, paper"));
    }

    void sortsNumericallyThroughAProxy()
    {
        RunsModel model;
        auto store = wb::store::RunStore::openReadOnly(m_path);
        model.setSnapshot(wb::session::WorkspaceSnapshot::read(store));
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(RunsModel::SortRole);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.sort(RunsModel::BestValAcc, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, RunsModel::Id).data(RunsModel::RunIdRole).toLongLong(),
                 m_ids.second); // 0.58
        QCOMPARE(proxy.index(2, RunsModel::Id).data(RunsModel::RunIdRole).toLongLong(),
                 m_ids.failed); // 0.14
        proxy.sort(RunsModel::Seconds, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, RunsModel::Id).data(RunsModel::RunIdRole).toLongLong(),
                 m_ids.failed); // 2 s
    }

    void listsExperimentsAfterRuns()
    {
        QTemporaryDir dir;
        const auto path = dir.filePath(QStringLiteral("ws.sqlite")).toStdString();
        const auto ids = wb::test::writeDemoWorkspace(path);
        {
            auto store = wb::store::RunStore::open(path);
            const auto e = store.createExperiment("{}", "/out");
            wb::store::ExperimentCell done;
            done.target = "/data/KAN";
            done.arm = "scratch";
            done.state = wb::store::CellState::Done;
            done.seconds = 10;
            done.searchRunId = ids.finished;
            wb::store::ExperimentCell pending = done;
            pending.arm = "ot";
            pending.state = wb::store::CellState::Pending;
            pending.seconds = 2.5;
            store.putExperimentCell(e, done);
            store.putExperimentCell(e, pending);
            store.recordTransfer({ids.second, std::nullopt, "FSH", "auto", 1.5, "[]"});
        }
        RunsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto store = wb::store::RunStore::openReadOnly(path);
        model.setSnapshot(wb::session::WorkspaceSnapshot::read(store));
        QCOMPARE(model.rowCount(), 4);
        const auto text = [&](int row, int column) {
            return model.index(row, column).data().toString();
        };
        QCOMPARE(text(3, RunsModel::Kind), QStringLiteral("experiment"));
        QCOMPARE(text(3, RunsModel::Status), QStringLiteral("running"));
        QCOMPARE(text(3, RunsModel::Dataset), QStringLiteral("KAN"));
        QCOMPARE(text(3, RunsModel::Epochs), QStringLiteral("1/2 cells"));
        QCOMPARE(text(3, RunsModel::Seconds), QStringLiteral("12.5"));
        QVERIFY(model.index(3, 0).data(RunsModel::ExperimentIdRole).isValid());
        QCOMPARE(model.index(3, 0).data(RunsModel::RunIdRole).toLongLong(), 0);
        QVERIFY(!model.index(0, 0).data(RunsModel::ExperimentIdRole).isValid());
        QCOMPARE(text(model.rowOfRun(ids.second), RunsModel::Source), QStringLiteral("FSH"));
        QCOMPARE(text(model.rowOfRun(ids.finished), RunsModel::Source), QString());
    }

    void snapshotHoldsTheCompareCurves()
    {
        auto store = wb::store::RunStore::openReadOnly(m_path);
        const auto s = wb::session::WorkspaceSnapshot::read(store);
        QCOMPARE(s.runs.size(), std::size_t(3));
        QCOMPARE(s.searches.size(), std::size_t(3)); // every demo run is a search with epochs
        const auto& finished = s.searches.at(m_ids.finished);
        QCOMPARE(finished.seed, std::uint64_t(7));
        const auto valAcc = finished.series(wb::session::EpochSeries::ValAcc);
        const auto trainLoss = finished.series(wb::session::EpochSeries::TrainLoss);
        QCOMPARE(valAcc.size(), std::size_t(3));
        QCOMPARE(trainLoss.size(), std::size_t(3));
        for (std::size_t e = 0; e < 3; ++e) { // val acc = 0.3 + 0.04 * epoch, train loss 2 / epoch
            QVERIFY(std::abs(valAcc[e] - (0.3 + 0.04 * double(e + 1))) < 1e-9);
            QVERIFY(std::abs(trainLoss[e] - 2.0 / double(e + 1)) < 1e-9);
        }
        QVERIFY(finished.genotype.has_value());
        QVERIFY(!finished.transfer);
        QVERIFY(s.sources.empty());
        QVERIFY(s.experiments.empty());
        QVERIFY(s.zoo.empty());
    }

    void pollReadsOnlyChangedRuns()
    {
        auto store = wb::store::RunStore::openReadOnly(m_path);
        auto previous = wb::session::WorkspaceSnapshot::read(store);
        // Mark what the earlier read produced, then make one run's row look changed.
        for (auto& [id, curve] : previous.searches)
            curve.seed = 999;
        for (auto& r : previous.runs)
            if (r.id == m_ids.second) r.epochs = 99;
        const auto s = wb::session::WorkspaceSnapshot::read(store, &previous);
        QCOMPARE(s.searches.at(m_ids.finished).seed, std::uint64_t(999)); // reused as it was
        QCOMPARE(s.searches.at(m_ids.failed).seed, std::uint64_t(999));
        QCOMPARE(s.searches.at(m_ids.second).seed, std::uint64_t(7)); // read again
        QCOMPARE(s.searches.at(m_ids.second).epochs.size(), std::size_t(2));
        QVERIFY(s.sameListing(wb::session::WorkspaceSnapshot::read(store)));
        QVERIFY(!s.sameListing(previous));
    }

private:
    QTemporaryDir m_dir;
    std::string m_path;
    wb::test::DemoWorkspace m_ids;
};

QTEST_GUILESS_MAIN(TestRunsModel)
#include "test_runs_model.moc"
