#include "plot_palette.h"

#include "qcustomplot_include.h"

#include <QEvent>

namespace wb::ui {
namespace {

void apply(QCustomPlot* plot)
{
    const QPalette& p = plot->palette();
    const QColor text = p.color(QPalette::WindowText);
    const QColor base = p.color(QPalette::Base);
    QColor grid = text;
    grid.setAlpha(50);
    plot->setBackground(base);
    const auto style = [&](QCPAxis* axis) {
        axis->setBasePen(QPen(text));
        axis->setTickPen(QPen(text));
        axis->setSubTickPen(QPen(text));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
        axis->grid()->setPen(QPen(grid, 0, Qt::DotLine));
    };
    // Every axis rect, colour scale and title of the layout, however nested.
    for (auto* element : plot->plotLayout()->elements(true)) {
        if (auto* rect = qobject_cast<QCPAxisRect*>(element))
            for (auto* axis : rect->axes())
                style(axis);
        else if (auto* scale = qobject_cast<QCPColorScale*>(element))
            style(scale->axis());
        else if (auto* title = qobject_cast<QCPTextElement*>(element))
            title->setTextColor(text);
    }
    plot->legend->setBrush(base);
    plot->legend->setTextColor(text);
    plot->legend->setBorderPen(QPen(text));
}

class PaletteFollower : public QObject {
public:
    explicit PaletteFollower(QCustomPlot* plot) : QObject(plot) {}
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::PaletteChange) {
            auto* plot = static_cast<QCustomPlot*>(watched);
            apply(plot);
            plot->replot(QCustomPlot::rpQueuedReplot);
        }
        return false;
    }
};

} // namespace

void followPalette(QCustomPlot* plot)
{
    apply(plot);
    plot->installEventFilter(new PaletteFollower(plot));
}

} // namespace wb::ui
