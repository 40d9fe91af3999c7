#include "curves_view.h"
#include "qcustomplot_include.h"

#include <QTest>

using wb::ui::CurvesView;
using Curve = wb::ui::CurvesView::Curve;

namespace {

std::vector<wb::darts::StepMetrics> steps(int epoch, int count)
{
    std::vector<wb::darts::StepMetrics> out;
    for (int s = 1; s <= count; ++s) {
        wb::darts::StepMetrics m;
        m.epoch = epoch;
        m.step = s;
        m.stepsPerEpoch = count;
        m.trainLoss = 3.0 - 0.1 * s;
        m.trainAcc = 0.1 * s;
        out.push_back(m);
    }
    return out;
}

wb::darts::EpochMetrics epoch(int e, double valAcc)
{
    wb::darts::EpochMetrics m;
    m.epoch = e;
    m.trainLoss = 2.0 / e;
    m.valLoss = 2.5 / e;
    m.trainAcc = valAcc + 0.05;
    m.valAcc = valAcc;
    return m;
}

} // namespace

class TestCurvesView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void valStepsOnlyWhereMeasured()
    {
        CurvesView view;
        auto batch = steps(1, 6);
        for (std::size_t i = 0; i < batch.size(); ++i) // measured on every other step
            batch[i].alphaLoss = i % 2 == 0 ? 1.5 + 0.1 * double(i) : std::nan("");
        view.appendSteps(batch);
        QCOMPARE(view.pointCount(Curve::StepTrainLoss), 6);
        QCOMPARE(view.pointCount(Curve::StepValLoss), 3);
        QCOMPARE(view.graph(Curve::StepValLoss)->data()->at(1)->value, 1.7); // step 3
        QCOMPARE(view.graph(Curve::StepValLoss)->data()->at(1)->key, 0.5);   // 3 of 6
        view.dropFromEpoch(1);
        QCOMPARE(view.pointCount(Curve::StepValLoss), 0);
    }

    void dropFromEpochKeepsEarlierEpochs()
    {
        CurvesView view;
        for (int e = 1; e <= 3; ++e) {
            view.appendSteps(steps(e, 4));
            view.appendEpochs({epoch(e, 0.2 * e)});
        }
        view.dropFromEpoch(2); // a run resumed from its epoch-1 checkpoint repeats 2 and 3
        QCOMPARE(view.pointCount(Curve::StepTrainLoss), 4);
        QCOMPARE(view.pointCount(Curve::StepTrainAcc), 4);
        QCOMPARE(view.pointCount(Curve::EpochValAcc), 1);
        QCOMPARE(view.pointCount(Curve::EpochTrainLoss), 1);
        bool found = false;
        QCOMPARE(view.graph(Curve::StepTrainLoss)->data()->keyRange(found).upper, 1.0); // step 4/4
        // The repeated epochs append without duplicates.
        view.appendSteps(steps(2, 4));
        view.appendEpochs({epoch(2, 0.5)});
        QCOMPARE(view.pointCount(Curve::StepTrainLoss), 8);
        QCOMPARE(view.pointCount(Curve::EpochValAcc), 2);
        QCOMPARE(view.graph(Curve::EpochValAcc)->data()->at(1)->value, 50.0); // percent
    }

    void batchesAccumulateInOrder()
    {
        CurvesView view;
        view.resize(600, 400);
        view.show();
        view.appendSteps(steps(1, 5));
        view.appendSteps(steps(2, 5));
        view.appendEpochs({epoch(1, 0.4)});
        view.appendEpochs({epoch(2, 0.6)});

        QCOMPARE(view.pointCount(Curve::StepTrainLoss), 10);
        QCOMPARE(view.pointCount(Curve::StepTrainAcc), 10);
        QCOMPARE(view.pointCount(Curve::EpochTrainLoss), 2);
        QCOMPARE(view.pointCount(Curve::EpochValAcc), 2);

        bool found = false;
        const QCPRange keys = view.graph(Curve::StepTrainLoss)->data()->keyRange(found);
        QVERIFY(found);
        QCOMPARE(keys.lower, 0.2); // epoch 1, step 1 of 5
        QCOMPARE(keys.upper, 2.0); // epoch 2, step 5 of 5
        const QCPRange loss = view.graph(Curve::StepTrainLoss)->data()->valueRange(found);
        QVERIFY(found);
        QVERIFY(qFuzzyCompare(loss.lower, 2.5));
        QVERIFY(qFuzzyCompare(loss.upper, 2.9));
        const QCPRange val = view.graph(Curve::EpochValAcc)->data()->valueRange(found);
        QCOMPARE(val.lower, 40.0);
        QCOMPARE(val.upper, 60.0);
        // Data stays sorted by key: the last point is the newest.
        QCOMPARE((view.graph(Curve::EpochValAcc)->data()->constEnd() - 1)->key, 2.0);
        // The axes cover the data.
        QVERIFY(view.lossPlot()->xAxis->range().contains(2.0));
        QVERIFY(view.lossPlot()->yAxis->range().contains(2.9));
    }

    void outOfOrderBatchIsSorted()
    {
        CurvesView view;
        view.appendEpochs({epoch(3, 0.7), epoch(1, 0.3), epoch(2, 0.5)});
        const auto data = view.graph(Curve::EpochValAcc)->data();
        QCOMPARE(data->size(), 3);
        QCOMPARE(data->at(0)->key, 1.0);
        QCOMPARE(data->at(2)->value, 70.0);
    }

    void clearEmptiesEveryCurve()
    {
        CurvesView view;
        view.appendSteps(steps(1, 3));
        view.appendEpochs({epoch(1, 0.5)});
        view.clear();
        for (Curve c : {Curve::StepTrainLoss, Curve::EpochTrainLoss, Curve::EpochValLoss,
                        Curve::StepTrainAcc, Curve::EpochTrainAcc, Curve::EpochValAcc})
            QCOMPARE(view.pointCount(c), 0);
    }
};

QTEST_MAIN(TestCurvesView)
#include "test_curves_view.moc"
