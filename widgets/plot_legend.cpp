#include "plot_legend.h"

#include "qcustomplot_include.h"

namespace wb::ui {

void placeLegendAbove(QCustomPlot* plot, int columns)
{
    auto* layout = plot->plotLayout();
    layout->insertRow(0);
    layout->addElement(0, 0, plot->legend); // takes it out of the axis rect's inset layout
    layout->setRowStretchFactor(0, 0.001);  // as tall as its entries need
    plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot->legend->setWrap(columns);
    plot->legend->setBorderPen(Qt::NoPen);
    plot->legend->setMargins(QMargins(4, 0, 4, 0));
    plot->legend->setVisible(true);
}

} // namespace wb::ui
