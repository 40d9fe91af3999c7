// The distance heatmap draws the matrix it is given, annotated, and reports clicked cells.

#include "distance_matrix_view.h"
#include "qcustomplot_include.h"

#include <cmath>

#include <QSignalSpy>
#include <QTest>

using wb::ui::DistanceMatrixView;

class TestDistanceMatrixView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void drawsTheMatrixItWasGiven()
    {
        DistanceMatrixView view;
        const std::vector<double> m = {0, 12.5, 300, 12.5, 0, std::nan(""), 300, std::nan(""), 0};
        QVERIFY(view.setMatrix({"A", "B", "C"}, m));
        QCOMPARE(view.size(), 3);
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 3; ++c) {
                const double v = m[std::size_t(r * 3 + c)];
                if (std::isnan(v)) {
                    QVERIFY(std::isnan(view.value(r, c)));
                    QCOMPARE(view.annotation(r, c), QStringLiteral("-"));
                } else {
                    QCOMPARE(view.value(r, c), v);
                }
            }
        QCOMPARE(view.annotation(0, 1), QStringLiteral("12.5"));
        QCOMPARE(view.annotation(2, 0), QStringLiteral("300"));
        QVERIFY(std::isnan(view.value(3, 0)));
        QVERIFY(!view.setMatrix({"A", "B"}, m));  // 2 names, 9 values
        QCOMPARE(view.size(), 0);
    }

    void clickingACellEmitsIt()
    {
        DistanceMatrixView view;
        view.resize(400, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(view.setMatrix({"A", "B", "C"}, {0, 1, 2, 1, 0, 3, 2, 3, 0}));
        view.plot()->replot();
        QSignalSpy clicked(&view, &DistanceMatrixView::cellClicked);
        const QPoint at(int(view.plot()->xAxis->coordToPixel(2)),
                        int(view.plot()->yAxis->coordToPixel(1)));
        QTest::mouseClick(view.plot(), Qt::LeftButton, {}, at);
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.at(0).at(0).toInt(), 1);  // row
        QCOMPARE(clicked.at(0).at(1).toInt(), 2);  // column
    }
};

QTEST_MAIN(TestDistanceMatrixView)
#include "test_distance_matrix_view.moc"
