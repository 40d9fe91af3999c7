#include "alpha_heatmap_view.h"
#include "cell_graph_view.h"
#include "compare_page.h"
#include "curves_view.h"
#include "datasets_page.h"
#include "demo_workspace.h"
#include "distance_matrix_view.h"
#include "distance_page.h"
#include "main_window.h"
#include "new_search_dialog.h"
#include "queue_page.h"
#include "search_session.h"
#include "qcustomplot_include.h"
#include "synthetic_idx.h"
#include "throwaway_postgres.h"
#include "tiny_search.h"
#include "timeline_slider.h"
#include "run_view.h"
#include "start_panel.h"
#include "runs_model.h"

#include "wb/store/workspace_copy.h"
#include "wb/transfer/source_selection.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QCheckBox>
#include <QLabel>
#include <QComboBox>
#include <QDir>
#include <QDirIterator>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QTabBar>
#include <QFile>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QListWidget>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTabWidget>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using Curve = wb::ui::CurvesView::Curve;

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // QSettings stay out of the user's config
        QVERIFY(m_dir.isValid());
        // The default workspace (wb::store::defaultWorkspacePath) too.
        qputenv("XDG_DATA_HOME", m_dir.filePath(QStringLiteral("xdg-data")).toUtf8());
        m_path = m_dir.filePath(QStringLiteral("ws.sqlite"));
        try {
            m_ids = wb::test::writeDemoWorkspace(m_path.toStdString());
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
    }

    void everyInputHasATooltip()
    {
        wb::ui::MainWindow window;
        QString error;
        QVERIFY2(window.openWorkspace(m_path, &error), qPrintable(error));
        window.waitUntilIdle(30000);
        wb::ui::NewSearchDialog dialog({});
        QStringList missing;
        for (QWidget* top : {static_cast<QWidget*>(&window), static_cast<QWidget*>(&dialog)})
            for (QWidget* w : top->findChildren<QWidget*>()) {
                const bool input =
                    qobject_cast<QAbstractButton*>(w) || qobject_cast<QLineEdit*>(w) ||
                    qobject_cast<QAbstractSpinBox*>(w) || qobject_cast<QComboBox*>(w) ||
                    qobject_cast<QSlider*>(w) || qobject_cast<QListWidget*>(w);
                // Parts of a compound control or of Qt's own chrome explain themselves.
                QObject* parent = w->parent();
                const bool part =
                    qobject_cast<QAbstractSpinBox*>(parent) || qobject_cast<QComboBox*>(parent) ||
                    qobject_cast<QTabBar*>(parent) || qobject_cast<QDockWidget*>(parent) ||
                    qobject_cast<QAbstractItemView*>(parent) || qobject_cast<QLineEdit*>(parent) ||
                    w->objectName().startsWith(QStringLiteral("qt_"));
                if (input && !part && w->toolTip().trimmed().isEmpty()) {
                    const auto* button = qobject_cast<QAbstractButton*>(w);
                    missing << QStringLiteral("%1 '%2' in %3")
                                   .arg(QString::fromLatin1(w->metaObject()->className()),
                                        button ? button->text() : w->objectName(),
                                        QString::fromLatin1(top->metaObject()->className()));
                }
            }
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QStringLiteral("\n"))));
    }

    void newSearchDialogSetsTheSplitSeed()
    {
        wb::ui::NewSearchDialog dialog({});
        QVERIFY(!dialog.config().data.splitSeed);
        auto* splitSeed = dialog.findChild<QSpinBox*>(QStringLiteral("splitSeed"));
        QVERIFY(splitSeed);
        splitSeed->setValue(5);
        QCOMPARE(dialog.config().data.splitSeed.value_or(0), 5u);
    }

    // Beta-decay reaches the config for darts; with drnas the box is off and the config has none.
    void newSearchDialogSetsBetaDecay()
    {
        wb::ui::NewSearchDialog dialog({});
        auto* beta = dialog.findChild<QDoubleSpinBox*>(QStringLiteral("betaDecay"));
        QVERIFY(beta);
        QCOMPARE(dialog.config().betaDecay, 0.0);
        beta->setValue(25);
        QCOMPARE(dialog.config().betaDecay, 25.0);
        QComboBox* variant = nullptr;
        for (auto* box : dialog.findChildren<QComboBox*>())
            if (box->findText(QStringLiteral("drnas")) >= 0) variant = box;
        QVERIFY(variant);
        variant->setCurrentText(QStringLiteral("drnas"));
        QVERIFY(!beta->isEnabled());
        QCOMPARE(dialog.config().betaDecay, 0.0);
    }

    void opensARunAndTakesAScreenshot()
    {
        wb::ui::MainWindow window;
        QString error;
        QVERIFY2(window.openWorkspace(m_path, &error), qPrintable(error));
        // The listing and the run are read in the background.
        QVERIFY(window.waitUntilIdle(20000));
        QCOMPARE(window.runsModel()->rowCount(), 3);
        QVERIFY2(window.openRun(m_ids.finished, &error), qPrintable(error));
        QCOMPARE(window.runView()->runId(), 0); // not read yet: the GUI thread did not wait
        QVERIFY(window.waitUntilIdle(20000));

        wb::ui::RunView* run = window.runView();
        QCOMPARE(run->runId(), m_ids.finished);
        QCOMPARE(run->curves()->pointCount(Curve::StepTrainLoss), 12);
        QCOMPARE(run->curves()->pointCount(Curve::EpochValAcc), 3);
        QCOMPARE(run->epochCount(), 3);
        QCOMPARE(run->normalHeatmap()->rows(), 5);
        QCOMPARE(run->normalHeatmap()->columns(), 8);
        QVERIFY(run->normalCell()->hasGraph());
        QVERIFY(run->reduceCell()->hasGraph());

        // The slider picks the epoch shown by the heatmaps.
        run->epochSlider()->setValue(0);
        const double first = run->normalHeatmap()->cell(0, 1); // epoch 1 favours op 1 on edge 0
        run->epochSlider()->setValue(2);
        QVERIFY(run->normalHeatmap()->cell(0, 1) < first);

        window.show();
        window.setView(wb::ui::View::Run);
        const QString shot = m_dir.filePath(QStringLiteral("shot.png"));
        QVERIFY2(window.saveScreenshot(shot, &error), qPrintable(error));
        QImage image(shot);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 400 && image.height() >= 300);
        // Not a blank window: plenty of distinct colours.
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
    }

    void emptyWorkspaceShowsTheStartPanel()
    {
        wb::ui::MainWindow window;
        QVERIFY(window.startPanelShown()); // nothing open yet
        QVERIFY(window.startPanel()->message().contains(QStringLiteral("No workspace")));
        const QString empty = m_dir.filePath(QStringLiteral("empty.sqlite"));
        wb::store::RunStore::open(empty.toStdString());
        QVERIFY(window.openWorkspace(empty));
        QVERIFY(window.waitUntilIdle(20000));
        QVERIFY(window.startPanelShown());
        QVERIFY(window.startPanel()->message().contains(QStringLiteral("has no runs yet")));
        QVERIFY(window.openWorkspace(m_path));
        QVERIFY(window.waitUntilIdle(20000));
        QVERIFY(!window.startPanelShown());
    }

    void trainingRunShowsItsTestAndTagsAreSaved()
    {
        // A copy: the tags written here stay out of the other tests' workspace.
        const QString path = m_dir.filePath(QStringLiteral("annotated.sqlite"));
        QFile::remove(path);
        QVERIFY(QFile::copy(m_path, path));
        std::int64_t train = 0;
        {
            auto store = wb::store::RunStore::open(path.toStdString());
            wb::store::NewRun run;
            run.kind = "train";
            run.configJson = "{}";
            run.datasetPath = "/data/shapes";
            run.appVersion = "test";
            train = store.createRun(run);
            wb::darts::EpochMetrics e;
            e.epoch = 1;
            e.valAcc = 0.5;
            store.recordEpoch(train, e);
            store.recordTest(train, {0.7, 0.625, 1234});
            store.finishRun(train, wb::RunStatus::Done);
        }
        wb::ui::MainWindow window;
        QVERIFY(window.openWorkspace(path));
        QVERIFY(window.openRun(train));
        QVERIFY(window.waitUntilIdle(20000));
        auto* view = window.runView();
        QCOMPARE(view->runId(), train);
        QVERIFY(!view->alphaPanelsShown()); // a training has no alphas
        QVERIFY(window.findChild<QLabel*>() != nullptr);
        view->tagsEdit()->setText(QStringLiteral("paper, aux baseline"));
        view->noteEdit()->setText(QStringLiteral("retrained"));
        view->saveNotesButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(
            wb::store::RunStore::openReadOnly(path.toStdString()).run(train).tags.size() == 3,
            20000);
        const auto saved = wb::store::RunStore::openReadOnly(path.toStdString()).run(train);
        QCOMPARE(saved.tags, (std::vector<std::string>{"aux", "baseline", "paper"}));
        QCOMPARE(saved.note, std::string("retrained"));
        // Tags replace the old set.
        view->tagsEdit()->setText(QStringLiteral("paper"));
        view->saveNotesButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(
            wb::store::RunStore::openReadOnly(path.toStdString()).run(train).tags.size() == 1,
            20000);
        // The training is listed in Compare beside the searches.
        QVERIFY(window.waitUntilIdle(20000));
        window.comparePage()->setChecked({train});
        QCOMPARE(window.comparePage()->checkedRuns(), std::vector<std::int64_t>{train});
        QCOMPARE(window.comparePage()->plot()->graphCount(), 1);
        QCOMPARE(window.comparePage()->plot()->graph(0)->data()->at(0)->value, 50.0); // percent
    }

    void darkPaletteDrawsUncheckedBoxes()
    {
        wb::ui::MainWindow::setDarkPalette(true);
        QCheckBox box(QStringLiteral("unchecked"));
        box.resize(box.sizeHint());
        const QImage image = box.grab().toImage();
        wb::ui::MainWindow::setDarkPalette(false);
        // The indicator's outline must stand out from the dark window behind it.
        const QColor window = box.palette().color(QPalette::Window);
        int contrast = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < std::min(image.width(), image.height()); ++x)
                contrast = std::max(contrast, qGray(image.pixel(x, y)) - qGray(window.rgb()));
        QVERIFY2(contrast > 80, qPrintable(QString::number(contrast)));
    }

    void selectingARowShowsIt()
    {
        wb::ui::MainWindow window;
        QVERIFY(window.openWorkspace(m_path));
        // Asked while the workspace is still being listed: shown once it is.
        QVERIFY(window.openRun(m_ids.second));
        QVERIFY(window.waitUntilIdle(20000));
        QCOMPARE(window.runView()->runId(), m_ids.second);
        QCOMPARE(window.runView()->curves()->pointCount(Curve::EpochTrainLoss), 2);
        QVERIFY(window.openRun(m_ids.failed));
        QVERIFY(window.waitUntilIdle(20000));
        QCOMPARE(window.runView()->runId(), m_ids.failed);
        QVERIFY(!window.openRun(4242));
        // Two selections in a row: the newer one is shown, whatever finishes first.
        QVERIFY(window.openRun(m_ids.finished));
        QVERIFY(window.openRun(m_ids.second));
        QVERIFY(window.waitUntilIdle(20000));
        QCOMPARE(window.runView()->runId(), m_ids.second);
    }

    void compareOverlaysCheckedRuns()
    {
        wb::ui::MainWindow window;
        QVERIFY(window.openWorkspace(m_path));
        QVERIFY(window.waitUntilIdle(20000));
        window.setView(wb::ui::View::Compare);
        auto* page = window.comparePage();
        page->setChecked({m_ids.finished, m_ids.second});
        QCOMPARE(page->plot()->graphCount(), 2);
        // Neither run has a transfer link: no scratch-vs-warm pair, no speed-up drawn.
        QVERIFY(page->annotations().isEmpty());
        page->setChecked({});
        QCOMPARE(page->plot()->graphCount(), 0);
    }

    void compareShowsSpeedUps()
    {
        // Scratch: the demo's finished run (val acc 0.34, 0.38, 0.42). Warm: same dataset and
        // seed, val acc 0.54, 0.58, so it reaches scratch's best 0.42 at epoch 1: x3.
        const QString path = m_dir.filePath(QStringLiteral("speedup.sqlite"));
        const auto ids = wb::test::writeDemoWorkspace(path.toStdString());
        std::int64_t warm = 0, experiment = 0;
        {
            auto store = wb::store::RunStore::open(path.toStdString());
            warm = wb::test::addDemoRun(store, "/data/shapes/", 2, 2, 0.5, wb::RunStatus::Done);
            store.recordTransfer({warm, std::nullopt, "FSH", "auto", 1.5, "[]"});
            experiment = store.createExperiment("{}", "/out");
            for (auto [arm, run] : {std::pair{"scratch", ids.finished}, std::pair{"ot", warm}}) {
                wb::store::ExperimentCell cell;
                cell.target = "/data/KAN";
                cell.arm = arm;
                cell.state = wb::store::CellState::Done;
                cell.searchRunId = run;
                store.putExperimentCell(experiment, cell);
            }
        }
        wb::ui::MainWindow window;
        QVERIFY(window.openWorkspace(path));
        QVERIFY(window.waitUntilIdle(20000));
        auto* page = window.comparePage();
        page->setChecked({ids.finished, warm});
        QCOMPARE(page->plot()->graphCount(), 2);
        QCOMPARE(page->annotations().size(), 1);
        QVERIFY2(page->annotations().front().contains(QStringLiteral("at epoch 1 vs 3: ×3.00")),
                 qPrintable(page->annotations().front()));

        page->showExperiment(experiment, QStringLiteral("KAN"));
        // Per arm a mean curve and its ±std band (2 graphs); the ot arm's diamond where it
        // reaches scratch's best.
        QCOMPARE(page->plot()->graphCount(), 7);
        QVERIFY(page->annotations()
                    .join(QLatin1Char('\n'))
                    .contains(QStringLiteral("speed-up ×3.00 (1/1 seeds reached)")));
        QVERIFY(page->plot()->legend->hasItemWithPlottable(page->plot()->graph(6)));
        QVERIFY(page->plot()->graph(6)->name().contains(QStringLiteral("×3.00")));

        // Another metric: the same arms, no speed-up marks (they are measured on val accuracy).
        page->setMetric(wb::session::EpochSeries::TrainLoss);
        QCOMPARE(page->plot()->graphCount(), 6);
        QCOMPARE(page->plot()->yAxis->label(), QStringLiteral("train loss"));
        bool found = false;
        // Scratch's mean train loss per epoch is 2 / epoch.
        QCOMPARE(page->plot()->graph(2)->data()->valueRange(found).upper, 2.0);
    }

    void compareScattersDistanceAgainstGain()
    {
        // Two targets, each with a scratch run (val acc 0.34, 0.38, 0.42) and three warm starts
        // at distances 1, 2, 3 whose curves start 0.2, 0.1 and 0 higher: AUC gains of 20, 10
        // and 0 points, so the rank correlation is -1 on both and the trend 30 - 10 x points.
        const QString path = m_dir.filePath(QStringLiteral("scatter.sqlite"));
        wb::test::writeDemoWorkspace(path.toStdString());
        std::int64_t experiment = 0;
        {
            auto store = wb::store::RunStore::open(path.toStdString());
            experiment = store.createExperiment("{}", "/out");
            for (const char* target : {"/data/KAN", "/data/EMO"}) {
                const auto put = [&](const std::string& arm, double base,
                                     std::optional<double> distance, const std::string& source) {
                    wb::store::ExperimentCell cell;
                    cell.target = target;
                    cell.arm = arm;
                    cell.state = wb::store::CellState::Done;
                    cell.searchRunId =
                        wb::test::addDemoRun(store, target, 3, 1, base, wb::RunStatus::Done);
                    cell.distance = distance;
                    cell.source = source;
                    store.putExperimentCell(experiment, cell);
                };
                put("scratch", 0.3, std::nullopt, {});
                put("source:1", 0.5, 1.0, "A");
                put("source:2", 0.4, 2.0, "B");
                put("source:3", 0.3, 3.0, "C");
            }
        }
        wb::ui::MainWindow window;
        QVERIFY(window.openWorkspace(path));
        QVERIFY(window.waitUntilIdle(20000));
        auto* page = window.comparePage();
        page->setGain(wb::transfer::Gain::AucGain);
        QVERIFY(page->showDistanceGain(experiment));
        // One scatter per target and the trend line.
        QCOMPARE(page->plot()->graphCount(), 3);
        QCOMPARE(page->plot()->graph(0)->data()->size(), 3);
        QCOMPARE(page->plot()->graph(0)->lineStyle(), QCPGraph::lsNone);
        const auto trend = page->plot()->graph(2)->data();
        QCOMPARE(trend->size(), 2);
        QVERIFY(std::abs(trend->at(0)->key - 1.0) < 1e-9);
        QVERIFY(std::abs(trend->at(0)->value - 20.0) < 1e-9);
        QVERIFY(std::abs(trend->at(1)->value - 0.0) < 1e-9);
        const auto text = page->annotations().join(QLatin1Char('\n'));
        QVERIFY2(text.contains(QStringLiteral("KAN: Spearman ρ = -1.00 over 3 sources, the "
                                              "nearest gained most")),
                 qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Mean ρ over 2 targets: -1.00, 95% bootstrap "
                                              "interval [-1.00, -1.00]")),
                 qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("AUC gain = 30 − 10 × distance (points)")), qPrintable(text));
        // Another gain: speed-ups (the warm runs of base 0.5 and 0.4 reach 0.42 at epochs 1 and
        // 1 against scratch's 3; base 0.3 at 3): 3, 3, 1 - still falling with distance.
        page->setGain(wb::transfer::Gain::SpeedUpWithinSe);
        QCOMPARE(page->plot()->graph(0)->data()->at(0)->value, 3.0);
        QCOMPARE(page->plot()->graph(0)->data()->at(2)->value, 1.0);
        // A target again: the arms' curves.
        page->showExperiment(experiment, QStringLiteral("KAN"));
        QVERIFY(page->plot()->graphCount() > 3);
    }

    void distancePageFillsTheMatrix()
    {
        QTemporaryDir data;
        QStringList paths;
        for (int k = 0; k < 3; ++k) {
            const QString dir = data.filePath(QString::number(k));
            QVERIFY(QDir().mkpath(dir));
            wb::test::writeSeparableIdx(dir.toStdString(), 2, 16, 8, unsigned(k + 1), k == 2);
            paths << dir;
        }
        wb::ui::MainWindow window;
        QVERIFY(window.openWorkspace(m_path));
        auto* page = window.distancePage();
        page->setDatasets(paths);
        QVERIFY(page->compute());
        QVERIFY(page->waitUntilIdle(120000));
        // The page computes with the core's defaults (those of `supernet distance`): the same
        // cache keys, so pairs computed on either side are reused on the other.
        const wb::ot::DistanceConfig defaults;
        QCOMPARE(page->config().cacheKeyJson(), defaults.cacheKeyJson());
        const auto table = page->matrixTable();
        QCOMPARE(table.size(), 1 + 3 + 2);
        QCOMPARE(table.last().first(), QStringLiteral("settings"));
        QCOMPARE(table.last().at(1), page->settingsSummary());
        QVERIFY(page->settingsSummary().contains(QStringLiteral("1000 samples per dataset")));
        const auto* matrix = page->matrix();
        QCOMPARE(matrix->size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(matrix->value(i, i), 0.0);
            for (int j = 0; j < 3; ++j)
                QCOMPARE(matrix->value(i, j), matrix->value(j, i));
        }
        // Datasets 0 and 1 share a distribution; 2 is inverted: clearly farther from both.
        QVERIFY(matrix->value(0, 1) > 0);
        QVERIFY(matrix->value(0, 2) > 2 * matrix->value(0, 1));
        QVERIFY(matrix->value(1, 2) > 2 * matrix->value(0, 1));
        page->showPair(0, 2);
        QCOMPARE(page->couplingView()->rows(), 2);
        QCOMPARE(page->couplingView()->columns(), 2);
    }

    void datasetsPageShowsOneRowPerClass()
    {
        QTemporaryDir data;
        wb::test::writeSeparableIdx(data.path().toStdString(), 3, 4, 8); // 3 classes x 4 images
        wb::ui::MainWindow window;
        auto* page = window.datasetsPage();
        page->setDatasets({data.path()});
        page->showDataset(data.path());
        QVERIFY(page->waitUntilIdle(20000));
        auto* table = page->classTable();
        QCOMPARE(table->rowCount(), 3);
        for (int r = 0; r < 3; ++r)
            QCOMPARE(table->item(r, 1)->text(), QStringLiteral("4"));
        QCOMPARE(page->thumbnailCount(), 12);     // all 4 of each class (under the 6 shown at most)
        QCOMPARE(page->fingerprint().size(), 64); // SHA-256 in hex
        // A folder that is no dataset is reported by name, not shown.
        QTemporaryDir empty;
        page->showDataset(empty.path());
        QVERIFY(page->waitUntilIdle(20000));
        QCOMPARE(table->rowCount(), 0);
        QCOMPARE(page->thumbnailCount(), 0);
    }

    void liveSearchIsRecordedAndShown()
    {
        QTemporaryDir data;
        wb::test::writeSeparableIdx(data.path().toStdString(), 2, 24, 8);
        // No workspace open: the search creates the default one, which initTestCase() put
        // inside the temporary folder.
        const QString db = QString::fromStdString(wb::store::defaultWorkspacePath());
        QVERIFY2(db.startsWith(m_dir.path()), qPrintable(db));
        QVERIFY(!QFile::exists(db));
        wb::ui::MainWindow window;
        auto config = wb::test::tinySearchConfig(data.path().toStdString(), 2);
        config.layers = 2;
        config.batchSize = 8;
        QVERIFY(!window.openWorkspace(db)); // not there yet
        QVERIFY(window.startSearch(config));
        QVERIFY(!window.startSearch(config)); // one at a time
        QSignalSpy finished(&window.searchSession(), &wb::session::SearchSession::finished);
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.at(0).at(0).toInt(), int(wb::RunStatus::Done));
        QCoreApplication::processEvents();
        // The curves saw every step and epoch through the drained queue.
        QCOMPARE(window.runView()->curves()->pointCount(Curve::EpochValAcc), 2);
        QCOMPARE(window.runView()->epochCount(), 2);
        QVERIFY(window.waitUntilIdle(20000));
        QCOMPARE(window.workspacePath(), db);
        QCOMPARE(window.runsModel()->rowCount(), 1);
        QCOMPARE(window.runView()->runId(), window.runsModel()->runs().front().id);
    }

    // Issue 14 #8: SIGTERM/SIGINT close the window without the confirmation dialog (a dialog
    // would block this test); the running search ends as cancelled, resumable.
    void terminationClosesWithoutAskingAndCancels()
    {
        QTemporaryDir data;
        wb::test::writeSeparableIdx(data.path().toStdString(), 2, 24, 8);
        const QString db = QString::fromStdString(wb::store::defaultWorkspacePath());
        wb::ui::MainWindow window;
        window.show();
        auto config = wb::test::tinySearchConfig(data.path().toStdString(), 1000);
        config.layers = 2;
        config.batchSize = 8;
        QVERIFY(window.startSearch(config));
        QTest::qWait(1500);
        QVERIFY(window.searchSession().isRunning());
        window.closeWithoutAsking();
        QVERIFY(!window.isVisible());
        // The job's thread has ended; its finished signal arrives through the event loop.
        QTRY_VERIFY_WITH_TIMEOUT(!window.searchSession().isRunning(), 10000);
        auto store = wb::store::RunStore::openReadOnly(db.toStdString());
        const auto runs = store.listRuns();
        QVERIFY(!runs.empty());
        QCOMPARE(QString::fromStdString(wb::statusName(runs.back().status)), QString("cancelled"));
    }

    void pollPicksUpRunsRecordedElsewhere()
    {
        const QString path = m_dir.filePath(QStringLiteral("poll.sqlite"));
        const auto ids = wb::test::writeDemoWorkspace(path.toStdString());
        wb::ui::MainWindow window;
        QVERIFY(window.openWorkspace(path));
        QVERIFY(window.openRun(ids.finished));
        QVERIFY(window.waitUntilIdle(20000));
        window.comparePage()->setChecked({ids.finished});
        QSignalSpy resets(window.runsModel(), &QAbstractItemModel::modelReset);

        window.pollWorkspace(); // nothing changed: the table is left alone
        QVERIFY(window.waitUntilIdle(20000));
        QCOMPARE(resets.count(), 0);

        // Another process (the CLI) records a run.
        std::int64_t added = 0;
        {
            auto store = wb::store::RunStore::open(path.toStdString());
            added = wb::test::addDemoRun(store, "/data/cli", 2, 2, 0.2, wb::RunStatus::Done);
        }
        window.pollWorkspace();
        QVERIFY(window.waitUntilIdle(20000));
        QCOMPARE(resets.count(), 1);
        QCOMPARE(window.runsModel()->rowCount(), 4);
        QVERIFY(window.runsModel()->rowOfRun(added) >= 0);
        // The user's selection and checked runs survive the re-listing.
        QCOMPARE(window.runView()->runId(), ids.finished);
        QCOMPARE(
            window.runsTable()->currentIndex().data(wb::session::RunsModel::RunIdRole).toLongLong(),
            ids.finished);
        QCOMPARE(window.comparePage()->checkedRuns(), std::vector<std::int64_t>{ids.finished});

        // The shown run is deleted elsewhere: it leaves the table, the view and Compare.
        wb::store::RunStore::open(path.toStdString()).deleteRun(ids.finished);
        window.pollWorkspace();
        QVERIFY(window.waitUntilIdle(20000));
        QCOMPARE(window.runsModel()->rowCount(), 3);
        QCOMPARE(window.runView()->runId(), 0);
        QVERIFY(window.comparePage()->checkedRuns().empty());
    }

    void resumedSearchKeepsItsHistory()
    {
        QTemporaryDir data;
        wb::test::writeSeparableIdx(data.path().toStdString(), 2, 24, 8);
        const QString db = m_dir.filePath(QStringLiteral("resume.sqlite"));
        auto config = wb::test::tinySearchConfig(data.path().toStdString(), 3);
        config.layers = 2;
        config.batchSize = 8;
        // A recorded search stopped after the first step of epoch 2: cancelled, resumable from
        // its epoch-1 checkpoint, with that step recorded (the resumed run repeats it).
        struct StopInEpochTwo : wb::darts::RunObserver {
            wb::RunControl* control = nullptr;
            void onStep(const wb::darts::StepMetrics& s) override
            {
                if (s.epoch == 2 && s.step == 1) control->requestStop();
            }
        } stopper;
        wb::RunControl control;
        stopper.control = &control;
        std::int64_t id = 0;
        const auto first = wb::session::SearchSession::recordedSearchRunner(
            db.toStdString(), config, std::nullopt,
            [&](std::int64_t created) { id = created; })(control, stopper);
        QCOMPARE(int(first.status), int(wb::RunStatus::Cancelled));

        wb::ui::MainWindow window;
        QVERIFY(window.openWorkspace(db));
        QVERIFY(window.openRun(id));
        QVERIFY(window.waitUntilIdle(20000));
        auto* run = window.runView();
        QCOMPARE(run->runId(), id);
        QCOMPARE(run->curves()->pointCount(Curve::EpochValAcc), 1);
        const int recordedSteps = run->curves()->pointCount(Curve::StepTrainLoss);

        QString error;
        QVERIFY(!window.resumeRun(id + 1, &error)); // not the shown run
        QVERIFY(!error.isEmpty());
        QSignalSpy finished(&window.searchSession(), &wb::session::SearchSession::finished);
        QVERIFY2(window.resumeRun(id, &error), qPrintable(error));
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.at(0).at(0).toInt(), int(wb::RunStatus::Done));
        // Live view at the end: epoch 1 from the store, epochs 2-3 live, nothing twice.
        QCOMPARE(run->runId(), id);
        QCOMPARE(run->curves()->pointCount(Curve::EpochValAcc), 3);
        QCOMPARE(run->epochCount(), 3);
        const int liveSteps = run->curves()->pointCount(Curve::StepTrainLoss);
        // Then the stored run replaces it: the same counts.
        QVERIFY(window.waitUntilIdle(20000));
        QCOMPARE(run->curves()->pointCount(Curve::EpochValAcc), 3);
        QCOMPARE(run->curves()->pointCount(Curve::StepTrainLoss), liveSteps);
        const auto steps = wb::store::RunStore::openReadOnly(db.toStdString()).steps(id);
        QVERIFY(!steps.empty());
        QCOMPARE(liveSteps, 3 * steps.back().stepsPerEpoch);
        QCOMPARE(recordedSteps, steps.back().stepsPerEpoch + 1); // epoch 1 and step 1 of epoch 2
        QVERIFY(!window.resumeRun(id, &error));                  // done now: nothing to resume
        QVERIFY(error.contains(QStringLiteral("done")));
    }

    void runBundleMatchesTheCliExport()
    {
        QTemporaryDir data;
        wb::test::writeSeparableIdx(data.path().toStdString(), 2, 12, 8);
        const QString db = m_dir.filePath(QStringLiteral("bundle.sqlite"));
        auto config = wb::test::tinySearchConfig(data.path().toStdString(), 1);
        config.layers = 2;
        wb::RunControl control;
        wb::darts::RunObserver quiet;
        std::int64_t id = 0;
        const auto done = wb::session::SearchSession::recordedSearchRunner(
            db.toStdString(), config, std::nullopt,
            [&](std::int64_t created) { id = created; })(control, quiet);
        QCOMPARE(int(done.status), int(wb::RunStatus::Done));

        wb::ui::MainWindow window;
        QVERIFY(window.openWorkspace(db));
        QVERIFY(window.openRun(id));
        QVERIFY(window.waitUntilIdle(20000));
        const QString gui = m_dir.filePath(QStringLiteral("bundle-gui"));
        const QString cli = m_dir.filePath(QStringLiteral("bundle-cli"));
        window.exportRunBundleTo(gui);
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(gui + QStringLiteral("/weights.pt")), 30000);
        QVERIFY(window.waitUntilIdle(20000));

        QProcess export_;
        export_.start(QStringLiteral(SUPERNET_BIN),
                      {QStringLiteral("runs"), QStringLiteral("export"), QString::number(id),
                       QStringLiteral("--db"), db, QStringLiteral("--to"), cli});
        QVERIFY(export_.waitForFinished(60000));
        QVERIFY2(export_.exitCode() == 0, export_.readAllStandardError().constData());

        // The same files; each with the same bytes except the export's own timestamp.
        const auto files = QDir(cli).entryList(QDir::Files, QDir::Name);
        QVERIFY(files.contains(QStringLiteral("weights.pt")));
        QCOMPARE(QDir(gui).entryList(QDir::Files, QDir::Name), files);
        for (const auto& name : files) {
            QFile a(gui + '/' + name), b(cli + '/' + name);
            QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
            auto bytesA = a.readAll(), bytesB = b.readAll();
            QVERIFY2(!bytesA.isEmpty(), qPrintable(name));
            const QRegularExpression stamp(QStringLiteral("\"exported_at\": \"[^\"]*\""));
            QCOMPARE(QString::fromLatin1(bytesA).remove(stamp).size(),
                     QString::fromLatin1(bytesB).remove(stamp).size());
            if (!bytesA.contains("exported_at")) QVERIFY2(bytesA == bytesB, qPrintable(name));
        }
        QProcess py;
        py.start(QStringLiteral("/usr/bin/python3"),
                 {QStringLiteral("-c"),
                  QStringLiteral("import sys, torch; print(tuple(torch.load(sys.argv[1])"
                                 "['alpha_normal'].shape))"),
                  gui + QStringLiteral("/weights.pt")});
        QVERIFY(py.waitForFinished(60000));
        if (py.exitCode() != 0 && py.readAllStandardError().contains("No module named 'torch'"))
            QSKIP("python3-torch is not installed");
        QCOMPARE(QString::fromUtf8(py.readAllStandardOutput()).trimmed(), QString("(5, 8)"));
    }

    void badWorkspaceIsReported()
    {
        wb::ui::MainWindow window;
        QString error;
        const QString bogus = m_dir.filePath(QStringLiteral("not-a-db.sqlite"));
        QFile f(bogus);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("hello, not sqlite");
        f.close();
        QVERIFY(!window.openWorkspace(bogus, &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(window.workspacePath().isEmpty());
    }

    void opensAPostgresWorkspaceWithoutKeepingItsPassword()
    {
        auto* server = fixtures::ThrowawayPostgres::instance();
        if (!server)
            QSKIP(("no PostgreSQL server: " + fixtures::ThrowawayPostgres::reason()).c_str());
        QCOMPARE(QString::fromStdString(server->admin("CREATE DATABASE gui")), QString());
        const auto uri = QString::fromStdString(server->uri("gui", "gui-Secret"));
        wb::store::copyWorkspace(m_path.toStdString(), uri.toStdString());
        QSettings().remove(QStringLiteral("workspace/last"));

        wb::ui::MainWindow window;
        QString error;
        QVERIFY2(window.openWorkspace(uri, &error), qPrintable(error));
        QVERIFY(window.waitUntilIdle(20000));
        QCOMPARE(window.runsModel()->rowCount(), 3);
        QVERIFY2(window.openRun(m_ids.finished, &error), qPrintable(error));
        QVERIFY(window.waitUntilIdle(20000));
        QCOMPARE(window.runView()->curves()->pointCount(Curve::StepTrainLoss), 12);
        QCOMPARE(window.runView()->epochCount(), 3);
        QVERIFY2(!window.windowTitle().contains("gui-Secret") &&
                     window.windowTitle().contains("wb:***@"),
                 qPrintable(window.windowTitle()));
        QVERIFY(!window.shownWorkspace().contains("gui-Secret"));
        QVERIFY(!QSettings().contains(QStringLiteral("workspace/last")));
        for (const auto& recent :
             QSettings().value(QStringLiteral("workspace/recent")).toStringList())
            QVERIFY2(!recent.contains("gui-Secret"), qPrintable(recent));
    }

    // New search warm-started from a zoo entry pretrained on another machine: its checkpoint is
    // only in the server workspace, so the search fetches the database's copy.
    void warmStartFromAnotherMachinesZooEntry()
    {
        auto* server = fixtures::ThrowawayPostgres::instance();
        if (!server)
            QSKIP(("no PostgreSQL server: " + fixtures::ThrowawayPostgres::reason()).c_str());
        QCOMPARE(QString::fromStdString(server->admin("CREATE DATABASE guiwarm")), QString());
        const auto uri = QString::fromStdString(server->uri("guiwarm"));
        QVERIFY(runCli({QStringLiteral("workspace"), QStringLiteral("migrate"),
                        QStringLiteral("--db"), uri}));
        QTemporaryDir data;
        wb::test::writeSeparableIdx(data.path().toStdString(), 2, 12, 8);
        QVERIFY(runCli({"pretrain", "--data", data.path(), "--name", "elsewhere", "--epochs", "1",
                        "--channels", "4", "--layers", "2", "--nodes", "2", "--batch", "16",
                        "--threads", "1", "--db", uri}));
        auto store = wb::store::RunStore::open(uri.toStdString());
        const auto entry = store.zoo().at(0);
        QVERIFY(QFileInfo(QString::fromStdString(entry.checkpoint))
                    .absoluteDir()
                    .removeRecursively()); // the pretraining machine's folder is not here
        const QString here = m_dir.filePath(QStringLiteral("machine-b"));
        qputenv("SUPERNET_ARTIFACTS", here.toUtf8());

        auto config = wb::test::tinySearchConfig(data.path().toStdString(), 1);
        config.layers = 2;
        config.warmStart = wb::transfer::warmStartFrom(entry, false); // as New search sets it
        wb::RunControl control;
        wb::darts::RunObserver quiet;
        const auto result = wb::session::SearchSession::recordedSearchRunner(
            uri.toStdString(), config,
            wb::store::TransferRecord{0, entry.id, entry.name, "id", {}, "[]"}, {})(control, quiet);
        qunsetenv("SUPERNET_ARTIFACTS");
        QVERIFY2(result.status == wb::RunStatus::Done, result.error.c_str());
        std::string messages;
        for (const auto& issue : result.issues)
            messages += issue.code + ": " + issue.message + "\n";
        QVERIFY2(messages.find("warm start from zoo 1 (elsewhere)") != std::string::npos,
                 messages.c_str());
        // The checkpoint it started from is the database's copy, written on this "machine".
        const auto name = QFileInfo(QString::fromStdString(entry.checkpoint)).fileName();
        QDirIterator copies(here, {name}, QDir::Files, QDirIterator::Subdirectories);
        QVERIFY2(copies.hasNext(), qPrintable(name));
    }

    // A worker on another "machine" (process) fills a server workspace; the workbench shows its
    // run and the queue, and cancels a queued job from the Queue page.
    void queuePageShowsWhatWorkersDid()
    {
        QString db = m_dir.filePath(QStringLiteral("queue.sqlite"));
        if (auto* server = fixtures::ThrowawayPostgres::instance()) {
            QCOMPARE(QString::fromStdString(server->admin("CREATE DATABASE guiqueue")), QString());
            db = QString::fromStdString(server->uri("guiqueue"));
            QVERIFY(runCli({QStringLiteral("workspace"), QStringLiteral("migrate"),
                            QStringLiteral("--db"), db}));
        }
        QTemporaryDir data;
        wb::test::writeSeparableIdx(data.path().toStdString(), 2, 12, 8);
        const QStringList search = {QStringLiteral("search"),
                                    QStringLiteral("--data"),
                                    data.path(),
                                    QStringLiteral("--epochs"),
                                    QStringLiteral("1"),
                                    QStringLiteral("--channels"),
                                    QStringLiteral("4"),
                                    QStringLiteral("--layers"),
                                    QStringLiteral("2"),
                                    QStringLiteral("--nodes"),
                                    QStringLiteral("2"),
                                    QStringLiteral("--threads"),
                                    QStringLiteral("1"),
                                    QStringLiteral("--queue"),
                                    QStringLiteral("--data-root"),
                                    data.path(),
                                    QStringLiteral("--db"),
                                    db};
        QVERIFY(runCli(search));
        QVERIFY(runCli({QStringLiteral("worker"), QStringLiteral("--db"), db,
                        QStringLiteral("--name"), QStringLiteral("far-away"),
                        QStringLiteral("--data-root"), data.path(), QStringLiteral("--idle-exit"),
                        QStringLiteral("0.5"), QStringLiteral("--poll"), QStringLiteral("0.1")}));
        QVERIFY(runCli(search)); // a second job, left queued

        wb::ui::MainWindow window;
        QString error;
        QVERIFY2(window.openWorkspace(db, &error), qPrintable(error));
        QVERIFY(window.waitUntilIdle(20000));
        QCOMPARE(window.runsModel()->rowCount(), 1); // the run the worker recorded
        // Remembered for File > Open recent (no password in this URI).
        QCOMPARE(QSettings().value(QStringLiteral("workspace/recent")).toStringList().value(0), db);
        auto* table = window.queuePage()->jobsTable();
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->item(0, 2)->text(), QString("done"));
        QCOMPARE(table->item(0, 6)->text(), QString("1")); // its run
        QCOMPARE(table->item(1, 2)->text(), QString("queued"));
        QVERIFY2(window.queuePage()->workersText().contains("far-away"),
                 qPrintable(window.queuePage()->workersText()));

        table->selectRow(1);
        auto* cancel = window.queuePage()->findChild<QPushButton*>();
        QVERIFY(cancel && cancel->text() == QString("Cancel job"));
        cancel->click();
        QTRY_COMPARE_WITH_TIMEOUT(table->item(1, 2)->text(), QString("cancelled"), 20000);
        QVERIFY(wb::store::RunStore::open(db.toStdString()).job(2).state ==
                wb::store::JobState::Cancelled);
    }

private:
    static bool runCli(const QStringList& args)
    {
        QProcess p;
        p.start(QStringLiteral(SUPERNET_BIN), args);
        if (!p.waitForFinished(120000) || p.exitCode() != 0) {
            qWarning("%s", p.readAllStandardError().constData());
            return false;
        }
        return true;
    }

    QTemporaryDir m_dir;
    QString m_path;
    wb::test::DemoWorkspace m_ids;
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
