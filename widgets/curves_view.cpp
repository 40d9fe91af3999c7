#include "curves_view.h"

#include "plot_legend.h"
#include "plot_palette.h"
#include "qcustomplot_include.h"

#include <algorithm>
#include <cmath>

#include <QVBoxLayout>

namespace wb::ui {
namespace {

constexpr double kPercent = 100.0; // accuracies are plotted in percent

QCPGraph* addGraph(QCustomPlot* plot, const QString& name, const QColor& color, bool markers)
{
    QCPGraph* graph = plot->addGraph();
    graph->setName(name);
    graph->setPen(QPen(color, markers ? 2.0 : 1.0));
    if (markers) graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
    graph->setAdaptiveSampling(true);
    return graph;
}

QCustomPlot* makePlot(QWidget* parent, const QString& yLabel)
{
    auto* plot = new QCustomPlot(parent);
    followPalette(plot);
    plot->xAxis->setLabel(QStringLiteral("epoch"));
    plot->yAxis->setLabel(yLabel);
    plot->legend->setFont(QFont(plot->font().family(), 7));
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot->setMinimumHeight(120);
    return plot;
}

} // namespace

CurvesView::CurvesView(QWidget* parent) : QWidget(parent)
{
    m_loss = makePlot(this, tr("loss"));
    m_accuracy = makePlot(this, tr("accuracy (%)"));
    const QColor stepColor(150, 150, 150);
    const QColor trainColor(31, 119, 180);
    const QColor valColor(214, 39, 40);
    const QColor stepValColor(240, 160, 160);
    // Creation order is drawing order: step curves first, under the epoch markers.
    m_graphs.resize(std::size_t(Curve::StepValLoss) + 1);
    const auto make = [this](Curve c, QCustomPlot* plot, const QString& name, const QColor& color,
                             bool markers) {
        m_graphs[int(c)] = addGraph(plot, name, color, markers);
    };
    make(Curve::StepTrainLoss, m_loss, tr("train (step)"), stepColor, false);
    make(Curve::StepValLoss, m_loss, tr("val (step)"), stepValColor, false);
    make(Curve::EpochTrainLoss, m_loss, tr("train (epoch)"), trainColor, true);
    make(Curve::EpochValLoss, m_loss, tr("val (epoch)"), valColor, true);
    make(Curve::StepTrainAcc, m_accuracy, tr("train (step)"), stepColor, false);
    make(Curve::EpochTrainAcc, m_accuracy, tr("train (epoch)"), trainColor, true);
    make(Curve::EpochValAcc, m_accuracy, tr("val (epoch)"), valColor, true);
    placeLegendAbove(m_loss); // one legend for both plots, above them
    m_accuracy->yAxis->setRange(0, kPercent);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_loss);
    layout->addWidget(m_accuracy);
}

void CurvesView::appendSteps(const std::vector<darts::StepMetrics>& steps)
{
    if (steps.empty()) return;
    QVector<QCPGraphData> loss;
    QVector<QCPGraphData> acc;
    QVector<QCPGraphData> valLoss;
    loss.reserve(qsizetype(steps.size()));
    acc.reserve(qsizetype(steps.size()));
    for (const auto& s : steps) {
        const int per = s.stepsPerEpoch > 0 ? s.stepsPerEpoch : 1;
        const double x = s.epoch - 1 + double(s.step) / per;
        loss.append(QCPGraphData(x, s.trainLoss));
        acc.append(QCPGraphData(x, kPercent * s.trainAcc));
        if (std::isfinite(s.alphaLoss)) valLoss.append(QCPGraphData(x, s.alphaLoss));
    }
    // Batches normally arrive in order; sort anyway so add(..., true) stays truthful.
    const auto byKey = [](const QCPGraphData& a, const QCPGraphData& b) { return a.key < b.key; };
    for (auto* points : {&loss, &acc, &valLoss})
        std::stable_sort(points->begin(), points->end(), byKey);
    m_graphs[int(Curve::StepTrainLoss)]->data()->add(loss, true);
    m_graphs[int(Curve::StepTrainAcc)]->data()->add(acc, true);
    m_graphs[int(Curve::StepValLoss)]->data()->add(valLoss, true);
    rescaleAndReplot();
}

void CurvesView::appendEpochs(const std::vector<darts::EpochMetrics>& epochs)
{
    if (epochs.empty()) return;
    QVector<QCPGraphData> trainLoss, valLoss, trainAcc, valAcc;
    std::vector<darts::EpochMetrics> sorted = epochs;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.epoch < b.epoch; });
    for (const auto& e : sorted) {
        trainLoss.append(QCPGraphData(e.epoch, e.trainLoss));
        valLoss.append(QCPGraphData(e.epoch, e.valLoss));
        trainAcc.append(QCPGraphData(e.epoch, kPercent * e.trainAcc));
        valAcc.append(QCPGraphData(e.epoch, kPercent * e.valAcc));
    }
    m_graphs[int(Curve::EpochTrainLoss)]->data()->add(trainLoss, true);
    m_graphs[int(Curve::EpochValLoss)]->data()->add(valLoss, true);
    m_graphs[int(Curve::EpochTrainAcc)]->data()->add(trainAcc, true);
    m_graphs[int(Curve::EpochValAcc)]->data()->add(valAcc, true);
    rescaleAndReplot();
}

void CurvesView::clear()
{
    for (QCPGraph* g : m_graphs)
        g->data()->clear();
    rescaleAndReplot();
}

void CurvesView::dropFromEpoch(int epoch)
{
    // Step k of n in epoch e sits at e - 1 + k / n with k >= 1: epoch `epoch` starts above
    // epoch - 1. Epoch points sit at their epoch.
    for (Curve c : {Curve::StepTrainLoss, Curve::StepTrainAcc, Curve::StepValLoss})
        m_graphs[int(c)]->data()->removeAfter(epoch - 1);
    for (Curve c :
         {Curve::EpochTrainLoss, Curve::EpochValLoss, Curve::EpochTrainAcc, Curve::EpochValAcc})
        m_graphs[int(c)]->data()->removeAfter(epoch - 0.5);
    rescaleAndReplot();
}

const QCPGraph* CurvesView::graph(Curve curve) const
{
    return m_graphs[int(curve)];
}

int CurvesView::pointCount(Curve curve) const
{
    return m_graphs[int(curve)]->dataCount();
}

void CurvesView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale) rescaleAndReplot();
}

void CurvesView::rescaleAndReplot()
{
    m_loss->rescaleAxes();
    const QCPRange xr = m_loss->xAxis->range();
    m_loss->xAxis->setRange(std::min(0.0, xr.lower), std::max(1.0, xr.upper));
    m_accuracy->xAxis->setRange(m_loss->xAxis->range());
    const QCPRange yr = m_loss->yAxis->range();
    m_loss->yAxis->setRange(std::min(0.0, yr.lower), yr.upper * 1.05 + 1e-9);
    m_accuracy->yAxis->setRange(0, 1.02 * kPercent);
    // Hidden plots are not repainted: defer to showEvent instead of replotting off screen.
    if (!isVisible()) {
        m_stale = true;
        return;
    }
    m_stale = false;
    m_loss->replot(QCustomPlot::rpQueuedReplot);
    m_accuracy->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace wb::ui
