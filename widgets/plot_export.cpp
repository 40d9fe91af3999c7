#include "plot_export.h"

#include "qcustomplot_include.h"

#include <QBuffer>
#include <QFileInfo>
#include <QSaveFile>
#include <QSvgGenerator>

namespace wb::ui {
namespace {

QString writeSvg(QCustomPlot* plot, const QString& path)
{
    const int w = plot->width();
    const int h = plot->height();
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(QSize(w, h));
    generator.setViewBox(QRect(0, 0, w, h));
    generator.setTitle(QFileInfo(path).completeBaseName());
    QCPPainter painter;
    if (!painter.begin(&generator))
        return QStringLiteral("%1: cannot start the SVG writer").arg(path);
    plot->toPainter(&painter, w, h);
    painter.end();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(buffer.data()) != buffer.size() ||
        !file.commit())
        return QStringLiteral("%1: %2").arg(path, file.errorString());
    return {};
}

} // namespace

QString savePlot(QCustomPlot* plot, const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("svg")) return writeSvg(plot, path);
    bool ok = false;
    if (suffix == QLatin1String("pdf"))
        ok = plot->savePdf(path);
    else if (suffix == QLatin1String("png"))
        ok = plot->savePng(path, 0, 0, 2.0);
    else
        return QStringLiteral("%1: unknown plot format '%2' (use .png, .pdf or .svg)")
            .arg(path, suffix);
    return ok ? QString() : QStringLiteral("%1: cannot write the file").arg(path);
}

} // namespace wb::ui
