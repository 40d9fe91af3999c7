// MainWindow's File > Export actions and the plots' "Export plot…" context menus.
#include "main_window.h"

#include "background_read.h"
#include "cell_graph_view.h"
#include "compare_page.h"
#include "curves_view.h"
#include "distance_page.h"
#include "plot_export.h"
#include "qcustomplot_include.h"
#include "run_view.h"
#include "runs_model.h"
#include "wb/common/csv.h"
#include "wb/darts/run_bundle.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSettings>
#include <QStatusBar>
#include <QSvgRenderer>
#include <QTabWidget>

namespace wb::ui {
namespace {

const auto kExportDirKey = QStringLiteral("export/lastFolder");

QString exportFolder()
{
    return QSettings().value(kExportDirKey, QDir::homePath()).toString();
}

void rememberExportFolder(const QString& file)
{
    QSettings().setValue(kExportDirKey, QFileInfo(file).absolutePath());
}

// Replaces `path` only when all of `text` was written.
QString writeText(const QString& path, const std::string& text)
{
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly) &&
        file.write(text.data(), qint64(text.size())) == qint64(text.size()) && file.commit())
        return {};
    return QStringLiteral("%1: %2").arg(path, file.errorString());
}

// Rows as RFC 4180 CSV.
QString writeCsv(const QString& path, const QList<QStringList>& rows)
{
    QString text;
    for (const QStringList& row : rows) {
        std::vector<std::string> fields;
        for (const QString& v : row)
            fields.push_back(v.toStdString());
        text += QString::fromStdString(csvRow(fields));
    }
    return writeText(path, text.toStdString());
}

// One cell in the format its suffix names; an empty string or the problem.
QString writeCell(const CellGraphView& view, const QString& path, const QString& suffix)
{
    if (suffix == QLatin1String("dot") || suffix == QLatin1String("svg")) {
        return writeText(path, suffix == QLatin1String("dot") ? view.dot().toStdString()
                                                              : view.svg().toStdString());
    }
    QSvgRenderer renderer(view.svg());
    if (suffix == QLatin1String("pdf")) {
        QPdfWriter pdf(path);
        pdf.setResolution(300);
        QPainter painter(&pdf);
        renderer.render(&painter);
        return painter.end() ? QString() : QStringLiteral("%1: cannot write the PDF").arg(path);
    }
    QImage image(renderer.defaultSize() * 3, QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    renderer.render(&painter);
    painter.end();
    return image.save(path) ? QString() : QStringLiteral("%1: cannot write the image").arg(path);
}

} // namespace

void MainWindow::addPlotExportMenus()
{
    for (QCustomPlot* plot : findChildren<QCustomPlot*>()) {
        plot->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(plot, &QWidget::customContextMenuRequested, this, [this, plot](const QPoint& at) {
            QMenu menu(this);
            menu.addAction(tr("Export plot as PNG/PDF/SVG…"), this,
                           [this, plot] { exportPlot(plot); });
            menu.exec(plot->mapToGlobal(at));
        });
    }
}

void MainWindow::exportRunBundle()
{
    const qint64 id = m_runView->runId();
    if (m_workspace.isEmpty() || id <= 0) return;
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Export run into folder"), exportFolder());
    if (dir.isEmpty()) return;
    rememberExportFolder(dir + QStringLiteral("/."));
    exportRunBundleTo(dir);
}

void MainWindow::exportRunBundleTo(const QString& dir)
{
    const qint64 id = m_runView->runId();
    if (m_workspace.isEmpty() || id <= 0) return;
    statusBar()->showMessage(tr("Exporting run %1 into %2…").arg(id).arg(dir));
    // Graphviz renders and the metrics dump take a moment: off the GUI thread.
    session::readInBackground<store::ExportResult>(
        this, m_workspace.toStdString(),
        [id, to = dir.toStdString()](store::RunStore& store) {
            return darts::exportRunBundle(store, id, to);
        },
        [this, dir](std::shared_ptr<const store::ExportResult> result, const QString& error) {
            if (!result) {
                QMessageBox::warning(this, tr("Export"), error);
                return;
            }
            statusBar()->showMessage(
                tr("%n file(s) written to %1", nullptr, int(result->written.size())).arg(dir));
        });
}

void MainWindow::exportCells()
{
    const QString base = QFileDialog::getSaveFileName(
        this, tr("Export cells (normal and reduce)"), exportFolder() + QStringLiteral("/cell.svg"),
        tr("SVG (*.svg);;PNG (*.png);;PDF (*.pdf);;Graphviz DOT (*.dot)"));
    if (base.isEmpty()) return;
    rememberExportFolder(base);
    const QFileInfo info(base);
    const QString suffix = info.suffix().toLower();
    QStringList written;
    for (auto [view, name] : {std::pair{m_runView->normalCell(), "normal"},
                              std::pair{m_runView->reduceCell(), "reduce"}}) {
        if (!view->hasGraph()) continue;
        const QString path = info.absolutePath() + QLatin1Char('/') + info.completeBaseName() +
                             QLatin1Char('-') + QLatin1String(name) + QLatin1Char('.') + suffix;
        if (const QString error = writeCell(*view, path, suffix); !error.isEmpty()) {
            QMessageBox::warning(this, tr("Export"), error);
            return;
        }
        written << path;
    }
    statusBar()->showMessage(written.isEmpty()
                                 ? tr("No cell to export")
                                 : tr("Wrote %1").arg(written.join(QStringLiteral(", "))));
}

void MainWindow::exportPlot(QCustomPlot* plot)
{
    if (!plot)
        plot = m_tabs->currentWidget() == m_compare ? m_compare->plot()
                                                    : m_runView->curves()->accuracyPlot();
    const QString path = QFileDialog::getSaveFileName(this, tr("Export plot"),
                                                      exportFolder() + QStringLiteral("/plot.png"),
                                                      tr("PNG (*.png);;PDF (*.pdf);;SVG (*.svg)"));
    if (path.isEmpty()) return;
    rememberExportFolder(path);
    if (const QString error = savePlot(plot, path); !error.isEmpty())
        QMessageBox::warning(this, tr("Export"), error);
    else
        statusBar()->showMessage(tr("Wrote %1").arg(path));
}

void MainWindow::exportGenotype()
{
    const auto& genotype = m_runView->shownGenotype();
    if (!genotype) {
        statusBar()->showMessage(tr("No genotype to export: select a run with alphas"));
        return;
    }
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export genotype (of the epoch on the timeline)"),
                                     exportFolder() + QStringLiteral("/genotype.json"),
                                     tr("JSON (*.json);;DARTS literal (*.py *.txt)"));
    if (path.isEmpty()) return;
    rememberExportFolder(path);
    const bool json = path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive);
    const std::string text = json ? genotype->toJson() + "\n" : genotype->toPython() + "\n";
    if (const QString error = writeText(path, text); !error.isEmpty())
        QMessageBox::warning(this, tr("Export"), error);
    else
        statusBar()->showMessage(tr("Wrote %1").arg(path));
}

void MainWindow::exportTableCsv()
{
    const bool distances = m_tabs->currentWidget() == m_distances;
    const QString path = QFileDialog::getSaveFileName(
        this, distances ? tr("Export distance matrix") : tr("Export runs table"),
        exportFolder() +
            (distances ? QStringLiteral("/distances.csv") : QStringLiteral("/runs.csv")),
        tr("CSV (*.csv)"));
    if (path.isEmpty()) return;
    rememberExportFolder(path);
    QList<QStringList> rows;
    if (distances) {
        rows = m_distances->matrixTable();
    } else {
        QStringList header;
        for (int c = 0; c < m_model->columnCount(); ++c)
            header << m_model->headerData(c, Qt::Horizontal).toString();
        rows.append(header);
        for (int r = 0; r < m_model->rowCount(); ++r) {
            QStringList row;
            for (int c = 0; c < m_model->columnCount(); ++c)
                row << m_model->index(r, c).data(session::RunsModel::SortRole).toString();
            rows.append(row);
        }
    }
    if (const QString error = writeCsv(path, rows); !error.isEmpty())
        QMessageBox::warning(this, tr("Export"), error);
    else
        statusBar()->showMessage(tr("Wrote %1").arg(path));
}

} // namespace wb::ui
