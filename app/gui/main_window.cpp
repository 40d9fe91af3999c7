#include "main_window.h"

#include "run_view.h"
#include "runs_model.h"
#include "wb/common/error.h"

#include <algorithm>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QImage>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>

namespace wb::ui {
namespace {

const auto kGeometryKey = QStringLiteral("mainWindow/geometry");
const auto kStateKey = QStringLiteral("mainWindow/state");
const auto kSplitterKey = QStringLiteral("mainWindow/splitter");
const auto kWorkspaceKey = QStringLiteral("workspace/last");

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Supernet Workbench"));
    m_model = new session::RunsModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(session::RunsModel::SortRole);

    m_table = new QTableView(this);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(session::RunsModel::Id, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(session::RunsModel::Dataset,
                                                      QHeaderView::Stretch);

    m_runView = new RunView(this);
    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(m_runView);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 4);
    m_splitter->setCollapsible(1, true);
    setCentralWidget(m_splitter);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { showSelectedRun(); });
    createMenus();
    statusBar()->showMessage(tr("No workspace open"));
    resize(1280, 860);
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open workspace…"), this, [this] { chooseWorkspace(); });
    open->setShortcut(QKeySequence::Open);
    QAction* reload = file->addAction(tr("&Reload runs"), this, [this] { reloadRuns(); });
    reload->setShortcut(QKeySequence::Refresh);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, [this] { close(); });
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* runs = view->addAction(tr("&Runs"), this, [this] { setView(View::Runs); });
    runs->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    QAction* run = view->addAction(tr("Selected r&un"), this, [this] { setView(View::Run); });
    run->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
}

bool MainWindow::openWorkspace(const QString& path, QString* error)
{
    try {
        store::RunStore opened = store::RunStore::openReadOnly(path.toStdString());
        m_model->reload(opened);
        m_store = std::move(opened);
    } catch (const std::exception& e) {
        const QString message = QString::fromUtf8(e.what());
        statusBar()->showMessage(message);
        if (error) *error = message;
        return false;
    }
    m_runView->clear();
    setWindowTitle(tr("%1 – Supernet Workbench").arg(QFileInfo(path).fileName()));
    statusBar()->showMessage(tr("%n run(s) in %1", nullptr, m_model->rowCount()).arg(path));
    QSettings().setValue(kWorkspaceKey, path);
    m_table->resizeColumnsToContents();
    return true;
}

QString MainWindow::workspacePath() const
{
    return m_store ? QString::fromStdString(m_store->path()) : QString();
}

void MainWindow::reloadRuns()
{
    if (!m_store) return;
    const qint64 current = m_runView->runId();
    try {
        m_model->reload(*m_store);
    } catch (const std::exception& e) {
        statusBar()->showMessage(QString::fromUtf8(e.what()));
        return;
    }
    if (current > 0) openRun(current);
}

bool MainWindow::openRun(qint64 id, QString* error)
{
    const int row = m_model->rowOfRun(id);
    if (!m_store || row < 0) {
        const QString message = tr("run %1 not found in the workspace").arg(id);
        statusBar()->showMessage(message);
        if (error) *error = message;
        return false;
    }
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (m_table->currentIndex().row() == index.row())
        showSelectedRun(); // already current: reload explicitly
    else
        m_table->setCurrentIndex(index);
    m_table->scrollTo(index);
    return m_runView->runId() == id;
}

void MainWindow::showSelectedRun()
{
    const QModelIndex current = m_table->currentIndex();
    if (!m_store || !current.isValid()) {
        m_runView->clear();
        return;
    }
    const qint64 id = current.data(session::RunsModel::RunIdRole).toLongLong();
    try {
        m_runView->load(*m_store, id);
    } catch (const std::exception& e) {
        m_runView->clear();
        statusBar()->showMessage(QString::fromUtf8(e.what()));
    }
}

void MainWindow::setView(View view)
{
    const int total = std::max(m_splitter->height(), 400);
    if (view == View::Runs)
        m_splitter->setSizes({total, 0});
    else
        m_splitter->setSizes({std::min(160, total / 4), total - std::min(160, total / 4)});
}

void MainWindow::chooseWorkspace()
{
    QString start = workspacePath();
    if (start.isEmpty()) start = QString::fromStdString(store::defaultWorkspacePath());
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open workspace"), start,
                                     tr("Workspace databases (*.sqlite *.db);;All files (*)"));
    if (path.isEmpty()) return;
    QString error;
    if (!openWorkspace(path, &error)) QMessageBox::warning(this, tr("Open workspace"), error);
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(kGeometryKey).toByteArray());
    restoreState(settings.value(kStateKey).toByteArray());
    m_splitter->restoreState(settings.value(kSplitterKey).toByteArray());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    settings.setValue(kSplitterKey, m_splitter->saveState());
    event->accept();
}

bool MainWindow::saveScreenshot(const QString& path, QString* error)
{
    // Queued replots (QCustomPlot::rpQueuedReplot) and layouts run from the event loop.
    for (int i = 0; i < 5; ++i)
        QApplication::processEvents();
    const QImage image = grab().toImage();
    if (image.isNull() || !image.save(path)) {
        if (error) *error = tr("could not write %1").arg(path);
        return false;
    }
    return true;
}

} // namespace wb::ui
