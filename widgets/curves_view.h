#pragma once

#include "wb/darts/observer.h"

#include <vector>

#include <QWidget>

class QCustomPlot;
class QCPGraph;

namespace wb::ui {

// Loss and accuracy (in percent) of a run per step (train; val = the alpha step's batch) and per
// epoch: two stacked QCustomPlots sharing an x axis in epochs (step k of n in epoch e sits at
// e - 1 + k / n), under one legend placed above them.
// Appends come in batches and trigger one queued replot. GUI thread only; owned by its parent
// widget.
class CurvesView : public QWidget {
    Q_OBJECT
public:
    enum class Curve {
        StepTrainLoss,
        EpochTrainLoss,
        EpochValLoss,
        StepTrainAcc,
        EpochTrainAcc,
        EpochValAcc,
        StepValLoss // the alpha step's loss on its search-val batch, where it was measured
    };

    explicit CurvesView(QWidget* parent = nullptr);

    // Each call appends one sorted batch per curve and queues one replot (only when visible).
    void appendSteps(const std::vector<darts::StepMetrics>& steps);
    void appendEpochs(const std::vector<darts::EpochMetrics>& epochs);
    void clear();
    // Removes the steps of epochs >= `epoch` and those epochs' points (a resumed run repeats them).
    void dropFromEpoch(int epoch);

    const QCPGraph* graph(Curve curve) const;
    int pointCount(Curve curve) const;
    QCustomPlot* lossPlot() const { return m_loss; }
    QCustomPlot* accuracyPlot() const { return m_accuracy; }
    QSize sizeHint() const override { return {420, 360}; }

protected:
    void showEvent(QShowEvent* event) override;

private:
    void rescaleAndReplot();

    QCustomPlot* m_loss = nullptr;
    QCustomPlot* m_accuracy = nullptr;
    std::vector<QCPGraph*> m_graphs; // indexed by Curve
    bool m_stale = false;            // data arrived while hidden: replot when shown
};

} // namespace wb::ui
