#include "alpha_heatmap_view.h"
#include "qcustomplot_include.h"

#include <QTest>

using wb::ui::AlphaHeatmapView;

class TestAlphaHeatmapView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void dimensionsMatchTheMatrix_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("columns");
        QTest::newRow("2 nodes, 8 ops") << 5 << 8;
        QTest::newRow("4 nodes, 8 ops") << 14 << 8;
        QTest::newRow("3 nodes, 3 ops") << 9 << 3;
    }
    void dimensionsMatchTheMatrix()
    {
        QFETCH(int, rows);
        QFETCH(int, columns);
        std::vector<float> values;
        for (int i = 0; i < rows * columns; ++i)
            values.push_back(float(i) / float(rows * columns));
        QStringList ops;
        for (int c = 0; c < columns; ++c)
            ops << QStringLiteral("op%1").arg(c);
        AlphaHeatmapView view;
        QVERIFY(view.setMatrix(rows, columns, values, ops, AlphaHeatmapView::edgeLabels(rows)));
        QCOMPARE(view.rows(), rows);
        QCOMPARE(view.columns(), columns);
        QCOMPARE(view.colorMap()->data()->keySize(), columns);
        QCOMPARE(view.colorMap()->data()->valueSize(), rows);
        // Row-major input: cell (r, c) holds values[r * columns + c].
        QCOMPARE(view.cell(rows - 1, 0), double(values[std::size_t(rows - 1) * columns]));
        QCOMPARE(view.cell(1, columns - 1), double(values[std::size_t(columns) + columns - 1]));
        QVERIFY(std::isnan(view.cell(rows, 0)));
    }

    void mismatchedSizeIsRejected()
    {
        AlphaHeatmapView view;
        QVERIFY(view.setMatrix(2, 2, {0.5f, 0.5f, 1.0f, 0.0f}, {"a", "b"}, {"e0", "e1"}));
        QVERIFY(!view.setMatrix(3, 2, {0.5f, 0.5f}, {"a", "b"}, {}));
        QCOMPARE(view.rows(), 0);
        QCOMPARE(view.columns(), 0);
    }

    void edgeLabelsFollowTheGenotypeOrder()
    {
        const QStringList labels = AlphaHeatmapView::edgeLabels(5);
        QCOMPARE(labels.size(), 5);
        QVERIFY(labels[0].startsWith(QStringLiteral("0 ")));
        QVERIFY(labels[0].endsWith(QStringLiteral("c_{k-2}")));
        QVERIFY(labels[2].startsWith(QStringLiteral("1 ")));
        QVERIFY(labels[4].endsWith(QStringLiteral("0"))); // node 1 fed by node 0
        QCOMPARE(AlphaHeatmapView::edgeLabels(14).size(), 14);
    }

    void edgeLabelsCarryPcDartsEdgeWeights()
    {
        const QStringList labels =
            AlphaHeatmapView::edgeLabels(5, {0.6f, 0.4f, 0.25f, 0.5f, 0.25f});
        QVERIFY(labels[0].endsWith(QStringLiteral("\u03b2 0.60")));
        QVERIFY(labels[3].endsWith(QStringLiteral("\u03b2 0.50")));
        QVERIFY(labels[3].startsWith(QStringLiteral("1 ")));
    }

    void rendersOffscreen()
    {
        AlphaHeatmapView view;
        view.resize(300, 240);
        view.setMatrix(2, 2, {0.1f, 0.9f, 0.8f, 0.2f}, {"a", "b"}, {"e0", "e1"});
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QImage image = view.grab().toImage();
        QCOMPARE(image.size(), view.size() * view.devicePixelRatio());
    }
};

QTEST_MAIN(TestAlphaHeatmapView)
#include "test_alpha_heatmap_view.moc"
