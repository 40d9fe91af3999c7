#include "alpha_heatmap_view.h"

#include "plot_palette.h"
#include "qcustomplot_include.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QVBoxLayout>

namespace wb::ui {
namespace {

QString stateName(int input)
{
    if (input == 0) return QStringLiteral("c_{k-2}");
    if (input == 1) return QStringLiteral("c_{k-1}");
    return QString::number(input - 2);
}

QSharedPointer<QCPAxisTickerText> textTicker(const QStringList& labels)
{
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < labels.size(); ++i)
        ticker->addTick(i, labels[i]);
    return ticker;
}

} // namespace

AlphaHeatmapView::AlphaHeatmapView(QWidget* parent) : QWidget(parent)
{
    m_plot = new QCustomPlot(this);
    m_plot->setMinimumSize(200, 160);
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0, new QCPTextElement(m_plot, QString()));
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_map->setInterpolate(false);
    m_map->setGradient(QCPColorGradient(QCPColorGradient::gpThermal));
    // Labels run down-left from their tick, away from the colour scale on the right; a smaller
    // font keeps one row label per edge readable at 14 edges.
    m_plot->xAxis->setTickLabelRotation(-45);
    QFont small = m_plot->font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.8));
    m_plot->xAxis->setTickLabelFont(small);
    m_plot->yAxis->setTickLabelFont(small);
    m_plot->yAxis->setRangeReversed(true); // first edge on top, like the genotype listing
    m_plot->xAxis->grid()->setVisible(false);
    m_plot->yAxis->grid()->setVisible(false);

    auto* scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(1, 1, scale);
    scale->setGradient(m_map->gradient());
    scale->setBarWidth(8);
    scale->axis()->setLabel(tr("op weight"));
    m_map->setColorScale(scale);
    followPalette(m_plot); // after the title and scale exist, so they follow too

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    clear();
}

void AlphaHeatmapView::setTitle(const QString& title)
{
    if (auto* text = qobject_cast<QCPTextElement*>(m_plot->plotLayout()->element(0, 0)))
        text->setText(title);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

bool AlphaHeatmapView::setMatrix(int rows, int columns, const std::vector<float>& values,
                                 const QStringList& columnLabels, const QStringList& rowLabels)
{
    if (rows <= 0 || columns <= 0 || values.size() != std::size_t(rows) * std::size_t(columns)) {
        clear();
        return false;
    }
    m_rows = rows;
    m_columns = columns;
    // Key = op (x), value = edge (y); cell centres on integers so tick labels line up.
    m_map->data()->setSize(columns, rows);
    m_map->data()->setRange(QCPRange(0, columns - 1), QCPRange(0, rows - 1));
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < columns; ++c)
            m_map->data()->setCell(c, r, values[std::size_t(r) * columns + c]);
    // Early in a search the softmax weights sit near 1/#ops: a fixed 0..1 scale would show one
    // flat colour, so the colours span this matrix's own range (the colour scale shows it).
    m_map->rescaleDataRange(true);
    m_plot->xAxis->setTicker(textTicker(columnLabels));
    m_plot->yAxis->setTicker(textTicker(rowLabels));
    m_plot->xAxis->setRange(-0.5, columns - 0.5);
    m_plot->yAxis->setRange(-0.5, rows - 0.5);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    return true;
}

void AlphaHeatmapView::clear()
{
    m_rows = 0;
    m_columns = 0;
    m_map->data()->clear();
    m_plot->xAxis->setTicker(textTicker({}));
    m_plot->yAxis->setTicker(textTicker({}));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

double AlphaHeatmapView::cell(int row, int column) const
{
    if (row < 0 || row >= m_rows || column < 0 || column >= m_columns)
        return std::numeric_limits<double>::quiet_NaN();
    return m_map->data()->cell(column, row);
}

QStringList AlphaHeatmapView::edgeLabels(int edges, const std::vector<float>& edgeWeights)
{
    QStringList labels;
    for (int node = 0; labels.size() < edges; ++node)
        for (int input = 0; input < node + 2 && labels.size() < edges; ++input) {
            QString label = QStringLiteral("%1 \u2190 %2").arg(node).arg(stateName(input));
            const auto edge = std::size_t(labels.size());
            if (edge < edgeWeights.size())
                label +=
                    QStringLiteral(" \u00b7 \u03b2 %1").arg(double(edgeWeights[edge]), 0, 'f', 2);
            labels << label;
        }
    return labels;
}

} // namespace wb::ui
