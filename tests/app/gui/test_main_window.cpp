#include "alpha_heatmap_view.h"
#include "cell_graph_view.h"
#include "curves_view.h"
#include "demo_workspace.h"
#include "main_window.h"
#include "run_view.h"
#include "runs_model.h"

#include <QSlider>
#include <QStandardPaths>
#include <QTableView>
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
        m_path = m_dir.filePath(QStringLiteral("ws.sqlite"));
        try {
            m_ids = wb::test::writeDemoWorkspace(m_path.toStdString());
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
    }

    void opensARunAndTakesAScreenshot()
    {
        wb::ui::MainWindow window;
        QString error;
        QVERIFY2(window.openWorkspace(m_path, &error), qPrintable(error));
        QCOMPARE(window.runsModel()->rowCount(), 3);
        QVERIFY2(window.openRun(m_ids.finished, &error), qPrintable(error));

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

    void selectingARowShowsIt()
    {
        wb::ui::MainWindow window;
        QVERIFY(window.openWorkspace(m_path));
        QVERIFY(window.openRun(m_ids.second));
        QCOMPARE(window.runView()->curves()->pointCount(Curve::EpochTrainLoss), 2);
        QVERIFY(window.openRun(m_ids.failed));
        QCOMPARE(window.runView()->runId(), m_ids.failed);
        QVERIFY(!window.openRun(4242));
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

private:
    QTemporaryDir m_dir;
    QString m_path;
    wb::test::DemoWorkspace m_ids;
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
