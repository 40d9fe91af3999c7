#include "distance_matrix_view.h"

#include "plot_palette.h"
#include "qcustomplot_include.h"

#include <cmath>
#include <limits>

#include <QVBoxLayout>

namespace wb::ui {
namespace {

QString compact(double v)
{
    if (!std::isfinite(v)) return QStringLiteral("-");
    return QString::number(v, 'g', v >= 1000 ? 4 : 3);
}

} // namespace

DistanceMatrixView::DistanceMatrixView(QWidget* parent) : QWidget(parent)
{
    m_plot = new QCustomPlot(this);
    followPalette(m_plot);
    m_plot->setMinimumSize(260, 220);
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_map->setInterpolate(false);
    // Near = light, far = dark (white diagonal: a dataset is at distance 0 from itself).
    m_map->setGradient(QCPColorGradient(QCPColorGradient::gpCold).inverted());
    m_plot->yAxis->setRangeReversed(true);
    m_plot->xAxis->setTickLabelRotation(45);
    m_plot->xAxis->grid()->setVisible(false);
    m_plot->yAxis->grid()->setVisible(false);
    auto* scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, scale);
    scale->setGradient(m_map->gradient());
    scale->setBarWidth(8);
    scale->axis()->setLabel(tr("dataset distance (OTDD)"));
    m_map->setColorScale(scale);
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) {
        const int n = size();
        if (n == 0) return;
        const int column = int(std::lround(m_plot->xAxis->pixelToCoord(event->pos().x())));
        const int row = int(std::lround(m_plot->yAxis->pixelToCoord(event->pos().y())));
        if (row >= 0 && row < n && column >= 0 && column < n) Q_EMIT cellClicked(row, column);
    });
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    clear();
}

bool DistanceMatrixView::setMatrix(const QStringList& names, const std::vector<double>& values)
{
    const auto n = std::size_t(names.size());
    if (n == 0 || values.size() != n * n) {
        clear();
        return false;
    }
    clear();
    m_names = names;
    m_values = values;
    m_map->data()->setSize(int(n), int(n));
    m_map->data()->setRange(QCPRange(0, double(n) - 1), QCPRange(0, double(n) - 1));
    double hi = 0;
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t c = 0; c < n; ++c) {
            const double v = values[r * n + c];
            m_map->data()->setCell(int(c), int(r), std::isfinite(v) ? v : std::nan(""));
            if (std::isfinite(v)) hi = std::max(hi, v);
            auto* label = new QCPItemText(m_plot);
            label->position->setType(QCPItemPosition::ptPlotCoords);
            label->position->setCoords(double(c), double(r));
            label->setText(compact(v));
            m_labels.push_back(label);
        }
    // Light text on the dark (far) half of the scale, which needs the maximum first.
    for (std::size_t k = 0; k < m_labels.size(); ++k) {
        const double v = values[k];
        m_labels[k]->setColor(std::isfinite(v) && v > 0.5 * hi ? Qt::white : Qt::black);
    }
    m_map->setDataRange(QCPRange(0, hi > 0 ? hi : 1));
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < names.size(); ++i)
        ticker->addTick(i, names[i]);
    m_plot->xAxis->setTicker(ticker);
    m_plot->yAxis->setTicker(ticker);
    m_plot->xAxis->setRange(-0.5, double(n) - 0.5);
    m_plot->yAxis->setRange(-0.5, double(n) - 0.5);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    return true;
}

void DistanceMatrixView::clear()
{
    for (auto* label : m_labels)
        m_plot->removeItem(label);
    m_labels.clear();
    m_names.clear();
    m_values.clear();
    m_map->data()->clear();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

double DistanceMatrixView::value(int row, int column) const
{
    const int n = size();
    if (row < 0 || column < 0 || row >= n || column >= n)
        return std::numeric_limits<double>::quiet_NaN();
    return m_values[std::size_t(row) * std::size_t(n) + std::size_t(column)];
}

QString DistanceMatrixView::annotation(int row, int column) const
{
    const int n = size();
    if (row < 0 || column < 0 || row >= n || column >= n) return {};
    return m_labels[std::size_t(row) * std::size_t(n) + std::size_t(column)]->text();
}

} // namespace wb::ui
