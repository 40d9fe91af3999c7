#pragma once

class QCustomPlot;

namespace wb::ui {

// Makes a plot take its colours (background, axes, ticks, labels, grid, legend) from its
// widget palette, now and whenever the palette changes (e.g. the workbench's dark palette).
void followPalette(QCustomPlot* plot);

} // namespace wb::ui
