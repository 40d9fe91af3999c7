#pragma once

class QCustomPlot;

namespace wb::ui {

// Moves a plot's legend out of the axis rect into a row above it, entries side by side (at most
// `columns` per row), so it never covers the data however the curves run.
void placeLegendAbove(QCustomPlot* plot, int columns = 4);

} // namespace wb::ui
