#include "plot_export.h"
#include "qcustomplot_include.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>

using wb::ui::savePlot;

namespace {

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestPlotExport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_plot = std::make_unique<QCustomPlot>();
        m_plot->resize(400, 300);
        auto* g = m_plot->addGraph();
        for (int i = 0; i < 50; ++i)
            g->addData(i, std::sin(i * 0.2));
        g->setPen(QPen(Qt::red, 2));
        m_plot->xAxis->setLabel(QStringLiteral("epoch"));
        m_plot->rescaleAxes();
    }

    void svgIsVector()
    {
        const QString path = m_dir.filePath(QStringLiteral("plot.svg"));
        QCOMPARE(savePlot(m_plot.get(), path), QString());
        const QByteArray svg = readAll(path);
        QVERIFY(svg.contains("<svg"));
        QVERIFY(!svg.contains("<image")); // no embedded raster
        QVERIFY(svg.contains("<path") || svg.contains("<polyline"));
        QVERIFY(svg.contains("epoch")); // the axis label is text, not pixels
        QSvgRenderer renderer(svg);
        QVERIFY(renderer.isValid());
        QCOMPARE(renderer.viewBox(), QRect(0, 0, 400, 300));
        // Drawn back, the red curve is there.
        QImage image(400, 300, QImage::Format_ARGB32);
        image.fill(Qt::white);
        QPainter painter(&image);
        renderer.render(&painter);
        painter.end();
        int red = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x) {
                const QColor c = image.pixelColor(x, y);
                red += c.red() > 200 && c.green() < 80 && c.blue() < 80;
            }
        QVERIFY2(red > 200, qPrintable(QString::number(red)));
    }

    void pngIsTwiceTheSizeAndPdfIsAPdf()
    {
        const QString png = m_dir.filePath(QStringLiteral("plot.png"));
        QCOMPARE(savePlot(m_plot.get(), png), QString());
        QCOMPARE(QImage(png).size(), QSize(800, 600));
        const QString pdf = m_dir.filePath(QStringLiteral("plot.pdf"));
        QCOMPARE(savePlot(m_plot.get(), pdf), QString());
        QVERIFY(readAll(pdf).startsWith("%PDF"));
    }

    void badTargetsNameTheFile()
    {
        const QString unknown = m_dir.filePath(QStringLiteral("plot.bmpx"));
        QVERIFY(savePlot(m_plot.get(), unknown).contains(unknown));
        QVERIFY(!QFile::exists(unknown));
        const QString missing = m_dir.filePath(QStringLiteral("no/such/folder/plot.svg"));
        const QString error = savePlot(m_plot.get(), missing);
        QVERIFY(error.contains(missing));
        // A folder in the way is reported and left alone.
        const QString folder = m_dir.filePath(QStringLiteral("folder.svg"));
        QVERIFY(QDir().mkpath(folder));
        QVERIFY(savePlot(m_plot.get(), folder).contains(folder));
        QVERIFY(QFileInfo(folder).isDir());
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QCustomPlot> m_plot;
};

QTEST_MAIN(TestPlotExport)
#include "test_plot_export.moc"
