#pragma once

#include <QString>

class QCustomPlot;

namespace wb::ui {

// Writes `plot` at its on-screen size to `path`, chosen by the suffix: .png (rendered at 2x),
// .pdf (vector, QCustomPlot's own writer) or .svg (vector: QSvgGenerator draws the plot's
// QCPPainter calls as paths and text). Returns an empty string, or a message naming the file
// and the problem. The file is replaced only when the whole plot was written.
QString savePlot(QCustomPlot* plot, const QString& path);

} // namespace wb::ui
