#include "main_window.h"

#include "cell_graph_view.h"
#include "compare_page.h"
#include "curves_view.h"
#include "datasets_page.h"
#include "distance_page.h"
#include "new_search_dialog.h"
#include "qcustomplot_include.h"
#include "run_view.h"
#include "runs_model.h"
#include "transfer_advisor.h"
#include "wb/common/error.h"
#include "wb/darts/observer_list.h"
#include "wb/darts/search.h"
#include "wb/store/export.h"
#include "wb/store/recorded_job.h"

#include <algorithm>
#include <fstream>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QBuffer>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QImage>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPdfWriter>
#include <QPointer>
#include <QProgressBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QSvgRenderer>
#include <QTabWidget>
#include <QTableView>
#include <QTextStream>
#include <QThread>
#include <QVBoxLayout>
#include <QTimer>
#include <QToolBar>

namespace wb::ui {
namespace {

const auto kGeometryKey = QStringLiteral("mainWindow/geometry");
const auto kStateKey = QStringLiteral("mainWindow/state");
const auto kSplitterKey = QStringLiteral("mainWindow/splitter");
const auto kWorkspaceKey = QStringLiteral("workspace/last");
const auto kExportDirKey = QStringLiteral("export/lastFolder");
const auto kDarkKey = QStringLiteral("view/dark");
// Drain period of the live session queue: ~30 updates a second is smooth and cheap.
constexpr int kDrainMs = 35;

QString exportFolder()
{
    return QSettings().value(kExportDirKey, QDir::homePath()).toString();
}

void rememberExportFolder(const QString& file)
{
    QSettings().setValue(kExportDirKey, QFileInfo(file).absolutePath());
}

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
    auto* filter = new QLineEdit(this);
    filter->setPlaceholderText(tr("Filter runs (any column: kind, status, dataset, …)"));
    filter->setClearButtonEnabled(true);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    connect(filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    auto* tableBox = new QWidget(this);
    auto* tableLayout = new QVBoxLayout(tableBox);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->addWidget(filter);
    tableLayout->addWidget(m_table);
    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->addWidget(tableBox);
    m_splitter->addWidget(m_runView);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 4);
    m_splitter->setCollapsible(1, true);
    m_datasets = new DatasetsPage(this);
    m_distances = new DistancePage(this);
    m_compare = new ComparePage(this);
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(m_splitter, tr("&Runs"));
    m_tabs->addTab(m_datasets, tr("Data&sets"));
    m_tabs->addTab(m_distances, tr("&Distances"));
    m_tabs->addTab(m_compare, tr("&Compare"));
    setCentralWidget(m_tabs);

    m_issues = new QListWidget(this);
    // The dock should not claim the list's default height from the views above it.
    m_issues->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Ignored);
    m_issues->setMinimumHeight(60);
    auto* dock = new QDockWidget(tr("Issues"), this);
    dock->setObjectName(QStringLiteral("issuesDock"));
    dock->setWidget(m_issues);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    resizeDocks({dock}, {90}, Qt::Vertical);

    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(240);
    m_progress->setRange(0, 1000);
    m_progress->hide();
    m_eta = new QLabel(this);
    statusBar()->addPermanentWidget(m_eta);
    statusBar()->addPermanentWidget(m_progress);

    m_drainTimer = new QTimer(this);
    m_drainTimer->setSingleShot(true);
    m_drainTimer->setInterval(kDrainMs);
    connect(m_drainTimer, &QTimer::timeout, this, [this] { drain(); });
    connect(&m_session, &session::SearchSession::progressAvailable, this, [this] {
        if (!m_drainTimer->isActive()) m_drainTimer->start();
    });
    connect(&m_session, &session::SearchSession::failed, this, [this](const QString& message) {
        QMessageBox::warning(this, tr("Search failed"), message);
    });
    connect(&m_session, &session::SearchSession::finished, this,
            [this](int status) { searchFinished(status); });

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { showSelectedRun(); });
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        const QVariant e = index.data(session::RunsModel::ExperimentIdRole);
        if (!e.isValid()) return;
        m_compare->showExperiment(e.toLongLong(), {});
        setView(View::Compare);
    });
    createMenus();
    updateRunActions();
    statusBar()->showMessage(tr("No workspace open"));
    resize(1280, 860);
}

MainWindow::~MainWindow() = default;

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open workspace…"), this, [this] { chooseWorkspace(); });
    open->setShortcut(QKeySequence::Open);
    QAction* reload = file->addAction(tr("&Reload runs"), this, [this] { reloadRuns(); });
    reload->setShortcut(QKeySequence::Refresh);
    file->addAction(tr("Build offline &suite…"), this, [this] {
        setView(View::Datasets);
        m_datasets->buildSuite();
    });
    file->addSeparator();
    QMenu* exportMenu = file->addMenu(tr("&Export"));
    exportMenu->addAction(tr("Run &bundle (genotype, cells, metrics)…"), this,
                          [this] { exportRunBundle(); });
    exportMenu->addAction(tr("&Cells as SVG/PNG/PDF/DOT…"), this, [this] { exportCells(); });
    exportMenu->addAction(tr("&Plot as PNG/PDF/SVG…"), this, [this] { exportPlot(); });
    exportMenu->addAction(tr("Runs table as &CSV…"), this, [this] { exportRunsCsv(); });
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, [this] { close(); });
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* runs = view->addAction(tr("&Runs"), this, [this] { setView(View::Runs); });
    runs->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    QAction* run = view->addAction(tr("Selected r&un"), this, [this] { setView(View::Run); });
    run->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    QAction* sets = view->addAction(tr("Data&sets"), this, [this] { setView(View::Datasets); });
    sets->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_3));
    QAction* dist = view->addAction(tr("&Distances"), this, [this] { setView(View::Distance); });
    dist->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_4));
    QAction* cmp = view->addAction(tr("&Compare"), this, [this] { setView(View::Compare); });
    cmp->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_5));

    view->addSeparator();
    QAction* dark = view->addAction(tr("Dar&k palette"));
    dark->setCheckable(true);
    dark->setChecked(QSettings().value(kDarkKey, false).toBool());
    connect(dark, &QAction::toggled, this, [](bool on) {
        QSettings().setValue(kDarkKey, on);
        setDarkPalette(on);
    });

    QMenu* search = menuBar()->addMenu(tr("&Search"));
    QAction* create = search->addAction(tr("&New search…"), this, [this] { newSearch(); });
    create->setShortcut(QKeySequence::New);
    m_pauseAction = search->addAction(tr("&Pause"), this, [this] {
        m_session.pause();
        updateRunActions();
    });
    m_resumeAction = search->addAction(tr("&Resume"), this, [this] {
        m_session.resume();
        updateRunActions();
    });
    m_stopAction = search->addAction(tr("&Stop"), this, [this] { m_session.stop(); });
    m_stopAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    search->addSeparator();
    search->addAction(tr("Resume selected run"), this, [this] { resumeSelected(); });
    QToolBar* bar = addToolBar(tr("Search"));
    bar->setObjectName(QStringLiteral("searchToolBar"));
    bar->addActions({create, m_pauseAction, m_resumeAction, m_stopAction});
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
    if (!m_session.isRunning()) m_runView->clear();
    m_distances->setWorkspace(path);
    try {
        m_compare->load(*m_store);
    } catch (const std::exception& e) {
        statusBar()->showMessage(QString::fromUtf8(e.what()));
    }
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
        m_compare->load(*m_store);
    } catch (const std::exception& e) {
        statusBar()->showMessage(QString::fromUtf8(e.what()));
        return;
    }
    if (current > 0 && !(m_session.isRunning() && current == m_liveRunId)) openRun(current);
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
    {
        const QSignalBlocker block(m_table->selectionModel());
        m_table->setCurrentIndex(index);
    }
    showSelectedRun(true);
    m_table->scrollTo(index);
    return m_runView->runId() == id;
}

void MainWindow::showSelectedRun(bool now)
{
    const QModelIndex current = m_table->currentIndex();
    if (!m_store || !current.isValid()) {
        m_runView->clear();
        return;
    }
    if (const QVariant e = current.data(session::RunsModel::ExperimentIdRole); e.isValid()) {
        m_runView->clear();
        statusBar()->showMessage(
            tr("Experiment %1: double-click to see its arms in Compare").arg(e.toLongLong()));
        return;
    }
    const qint64 id = current.data(session::RunsModel::RunIdRole).toLongLong();
    if (m_session.isRunning() && id == m_liveRunId) return; // the live view is already there
    const int generation = ++m_loadGeneration;
    if (now) {
        try {
            const auto data = RunView::read(*m_store, id);
            m_runView->display(data);
            showIssues(data.issues, false);
        } catch (const std::exception& e) {
            m_runView->clear();
            statusBar()->showMessage(QString::fromUtf8(e.what()));
        }
        return;
    }
    statusBar()->showMessage(tr("Loading run %1…").arg(id));
    QPointer<MainWindow> self(this);
    QThread* reader = QThread::create([self, generation, id, path = m_store->path()] {
        std::shared_ptr<RunView::RunData> data;
        QString error;
        try {
            auto store = store::RunStore::openReadOnly(path);
            data = std::make_shared<RunView::RunData>(RunView::read(store, id));
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, data, error] {
                if (!self || generation != self->m_loadGeneration) return; // superseded
                if (!data) {
                    self->m_runView->clear();
                    self->statusBar()->showMessage(error);
                    return;
                }
                self->m_runView->display(*data);
                self->showIssues(data->issues, false);
                self->statusBar()->clearMessage();
            },
            Qt::QueuedConnection);
    });
    connect(reader, &QThread::finished, reader, &QObject::deleteLater);
    reader->start();
}

void MainWindow::setView(View view)
{
    if (view == View::Datasets) return m_tabs->setCurrentWidget(m_datasets);
    if (view == View::Distance) return m_tabs->setCurrentWidget(m_distances);
    if (view == View::Compare) return m_tabs->setCurrentWidget(m_compare);
    m_tabs->setCurrentWidget(m_splitter);
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

void MainWindow::setDarkPalette(bool dark)
{
    static const QString platformStyle = QApplication::style()->name();
    if (!dark) {
        QApplication::setStyle(platformStyle);
        QApplication::setPalette(QApplication::style()->standardPalette());
        return;
    }
    QApplication::setStyle(QStringLiteral("Fusion"));
    QPalette p;
    const QColor window(45, 45, 48), base(30, 30, 32), text(220, 220, 220);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Highlight, QColor(42, 130, 218));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(120, 120, 120));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(120, 120, 120));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(120, 120, 120));
    QApplication::setPalette(p);
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    setDarkPalette(settings.value(kDarkKey, false).toBool());
    restoreGeometry(settings.value(kGeometryKey).toByteArray());
    restoreState(settings.value(kStateKey).toByteArray());
    m_splitter->restoreState(settings.value(kSplitterKey).toByteArray());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_session.isRunning()) {
        const auto answer = QMessageBox::question(
            this, tr("Search running"),
            tr("A search is running. Stop it (its finished epochs stay recorded and it can be "
               "resumed) and quit?"));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        statusBar()->showMessage(tr("Stopping the search…"));
        if (!m_session.stopAndWait(session::SearchSession::kJoinTimeoutMs))
            QMessageBox::warning(this, tr("Search running"),
                                 tr("The search did not stop in time; quitting waits for it."));
    }
    m_distances->stop();
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

QString MainWindow::writablePath() const
{
    const QString open = workspacePath();
    return open.isEmpty() ? QString::fromStdString(store::defaultWorkspacePath()) : open;
}

void MainWindow::newSearch()
{
    if (m_session.isRunning()) {
        QMessageBox::information(this, tr("New search"), tr("A search is already running."));
        return;
    }
    std::vector<store::ZooEntry> zoo;
    try {
        if (m_store) zoo = m_store->zoo();
    } catch (const std::exception& e) {
        statusBar()->showMessage(QString::fromUtf8(e.what()));
    }
    NewSearchDialog dialog(zoo, this);
    if (dialog.exec() != QDialog::Accepted) return;
    darts::SearchConfig config = dialog.config();
    try {
        config.validate();
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("New search"), QString::fromUtf8(e.what()));
        return;
    }
    const QString start = dialog.startPoint();
    std::optional<store::TransferRecord> link;
    std::optional<store::ZooEntry> source;
    if (start == QLatin1String("auto")) {
        TransferAdvisor advisor(writablePath(), config, this);
        if (advisor.exec() != QDialog::Accepted || !advisor.choice()) return;
        const auto& choice = *advisor.choice();
        source = choice.chosen;
        link = store::TransferRecord{0, choice.chosen.id, choice.chosen.name, choice.mode,
                                     choice.distance, choice.rankingJson()};
    } else if (start != QLatin1String("scratch")) {
        for (const auto& e : zoo)
            if (QString::number(e.id) == start) source = e;
        if (source) link = store::TransferRecord{0, source->id, source->name, "id", {}, "[]"};
    }
    if (source) config.warmStart = transfer::warmStartFrom(*source, false);
    startSearch(config, link);
}

bool MainWindow::startSearch(const darts::SearchConfig& config,
                             std::optional<store::TransferRecord> transfer)
{
    if (m_session.isRunning()) return false;
    m_liveRunId = 0;
    m_liveShown = false;
    m_liveEpochs = config.epochs;
    m_liveStart = std::chrono::steady_clock::now();
    m_issues->clear();
    const bool started = m_session.start(session::SearchSession::recordedSearchRunner(
        writablePath().toStdString(), config, std::move(transfer),
        [this](std::int64_t id) { m_liveRunId = id; }));
    if (!started) return false;
    m_runView->beginLive(0, QString::fromStdString(config.data.path));
    m_progress->setValue(0);
    m_progress->show();
    setView(View::Run);
    updateRunActions();
    statusBar()->showMessage(tr("Search started on %1").arg(QString::fromStdString(config.data.path)));
    return true;
}

void MainWindow::drain()
{
    const session::SessionEvents events = m_session.drain();
    if (!m_liveShown && m_liveRunId > 0) {
        // The run row exists now: list it, then keep the live view on it.
        m_liveShown = true;
        if (!m_store) openWorkspace(writablePath());
        reloadRuns();
        m_runView->beginLive(m_liveRunId, tr("search started here"));
    }
    m_runView->appendLive(events);
    showIssues(events.issues, true);
    if (!events.steps.empty()) {
        const auto& s = events.steps.back();
        const double done = (double(s.epoch - 1) + double(s.step) / double(std::max(1, s.stepsPerEpoch))) /
                            double(std::max(1, m_liveEpochs));
        m_progress->setValue(int(1000 * done));
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - m_liveStart).count();
        const int eta = done > 0 ? int(elapsed * (1 - done) / done) : 0;
        m_eta->setText(tr("epoch %1/%2 · step %3/%4 · ETA %5:%6")
                           .arg(s.epoch)
                           .arg(m_liveEpochs)
                           .arg(s.step)
                           .arg(s.stepsPerEpoch)
                           .arg(eta / 60)
                           .arg(eta % 60, 2, 10, QLatin1Char('0')));
    }
}

void MainWindow::searchFinished(int status)
{
    drain();
    m_progress->hide();
    m_eta->clear();
    updateRunActions();
    statusBar()->showMessage(
        tr("Search %1: %2")
            .arg(m_liveRunId.load())
            .arg(QString::fromStdString(darts::statusName(darts::RunStatus(status)))));
    if (!m_store) openWorkspace(writablePath());
    reloadRuns();
    if (m_liveRunId > 0) openRun(m_liveRunId);
}

void MainWindow::updateRunActions()
{
    const bool running = m_session.isRunning();
    m_pauseAction->setEnabled(running && !m_session.isPaused());
    m_resumeAction->setEnabled(running && m_session.isPaused());
    m_stopAction->setEnabled(running);
}

void MainWindow::showIssues(const std::vector<darts::Issue>& issues, bool append)
{
    if (!append) m_issues->clear();
    for (const auto& i : issues) {
        const char* level = i.severity == darts::Severity::Error     ? "error"
                            : i.severity == darts::Severity::Warning ? "warning"
                                                                     : "info";
        auto* item = new QListWidgetItem(tr("epoch %1 · %2 · %3")
                                             .arg(i.epoch)
                                             .arg(QLatin1String(level))
                                             .arg(QString::fromStdString(i.message)),
                                         m_issues);
        if (i.severity != darts::Severity::Info)
            item->setForeground(i.severity == darts::Severity::Error ? QColor(190, 0, 0)
                                                                    : QColor(180, 110, 0));
    }
}

void MainWindow::resumeSelected()
{
    const qint64 id = m_runView->runId();
    if (!m_store || id <= 0 || m_session.isRunning()) return;
    try {
        const auto run = m_store->run(id);
        if (run.kind != "search" ||
            (run.status != darts::RunStatus::Interrupted && run.status != darts::RunStatus::Cancelled &&
             run.status != darts::RunStatus::Failed)) {
            QMessageBox::information(this, tr("Resume"),
                                     tr("Only interrupted, cancelled or failed searches resume."));
            return;
        }
        auto config = darts::SearchConfig::fromJson(run.configJson);
        const auto checkpoints = store::resumeCheckpoints(*m_store, id);
        const std::string db = m_store->path();
        m_liveRunId = 0;
        m_liveShown = false;
        m_liveEpochs = config.epochs;
        m_liveStart = std::chrono::steady_clock::now();
        m_session.start([this, db, id, config, checkpoints](RunControl& control,
                                                             darts::RunObserver& observer) mutable {
            auto job = store::RecordedJob::reopen(db, id);
            config.checkpointDir = job->directory();
            m_liveRunId = id;
            darts::ObserverList observers{&observer, &job->observer()};
            auto result = darts::resumeSearch(config, checkpoints, control, observers);
            job->finish(result.status, result.error);
            return result;
        });
        m_progress->show();
        updateRunActions();
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Resume"), QString::fromUtf8(e.what()));
    }
}

void MainWindow::exportRunBundle()
{
    if (!m_store || m_runView->runId() <= 0) return;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export run into folder"),
                                                          exportFolder());
    if (dir.isEmpty()) return;
    rememberExportFolder(dir + QStringLiteral("/."));
    try {
        const auto r = store::exportRun(*m_store, m_runView->runId(), dir.toStdString());
        statusBar()->showMessage(tr("%n file(s) written to %1", nullptr, int(r.written.size())).arg(dir));
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Export"), QString::fromUtf8(e.what()));
    }
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
        QSvgRenderer renderer(view->svg());
        bool ok = false;
        if (suffix == QLatin1String("dot") || suffix == QLatin1String("svg")) {
            QFile file(path);
            ok = file.open(QIODevice::WriteOnly) &&
                 file.write(suffix == QLatin1String("dot") ? view->dot().toUtf8() : view->svg()) >= 0;
        } else if (suffix == QLatin1String("pdf")) {
            QPdfWriter pdf(path);
            pdf.setResolution(300);
            QPainter painter(&pdf);
            renderer.render(&painter);
            ok = painter.end();
        } else {
            QImage image(renderer.defaultSize() * 3, QImage::Format_ARGB32);
            image.fill(Qt::white);
            QPainter painter(&image);
            renderer.render(&painter);
            painter.end();
            ok = image.save(path);
        }
        if (!ok) {
            QMessageBox::warning(this, tr("Export"), tr("%1: cannot write the file").arg(path));
            return;
        }
        written << path;
    }
    statusBar()->showMessage(written.isEmpty() ? tr("No cell to export")
                                               : tr("Wrote %1").arg(written.join(QStringLiteral(", "))));
}

void MainWindow::exportPlot()
{
    QCustomPlot* plot = m_tabs->currentWidget() == m_compare ? m_compare->plot()
                                                             : m_runView->curves()->accuracyPlot();
    const QString path = QFileDialog::getSaveFileName(this, tr("Export plot"),
                                                      exportFolder() + QStringLiteral("/plot.png"),
                                                      tr("PNG (*.png);;PDF (*.pdf);;SVG (*.svg)"));
    if (path.isEmpty()) return;
    rememberExportFolder(path);
    bool ok = false;
    if (path.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive)) {
        ok = plot->savePdf(path);
    } else if (path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)) {
        QFile file(path);
        if (file.open(QIODevice::WriteOnly)) {
            // QtSvg's generator is not linked: embed the plot's raster in a minimal SVG.
            QByteArray png;
            QBuffer buffer(&png);
            buffer.open(QIODevice::WriteOnly);
            plot->toPixmap(plot->width() * 2, plot->height() * 2).save(&buffer, "PNG");
            QTextStream out(&file);
            out << "<svg xmlns='http://www.w3.org/2000/svg' width='" << plot->width()
                << "' height='" << plot->height() << "'><image width='100%' height='100%' href='"
                << "data:image/png;base64," << png.toBase64() << "'/></svg>\n";
            ok = true;
        }
    } else {
        ok = plot->savePng(path, 0, 0, 2.0);
    }
    if (!ok) QMessageBox::warning(this, tr("Export"), tr("%1: cannot write the file").arg(path));
}

void MainWindow::exportRunsCsv()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export runs table"), exportFolder() + QStringLiteral("/runs.csv"), tr("CSV (*.csv)"));
    if (path.isEmpty()) return;
    rememberExportFolder(path);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        QMessageBox::warning(this, tr("Export"), tr("%1: cannot write the file").arg(path));
        return;
    }
    QTextStream out(&file);
    QStringList header;
    for (int c = 0; c < m_model->columnCount(); ++c)
        header << m_model->headerData(c, Qt::Horizontal).toString();
    out << header.join(QLatin1Char(',')) << '\n';
    for (int r = 0; r < m_model->rowCount(); ++r) {
        QStringList row;
        for (int c = 0; c < m_model->columnCount(); ++c) {
            QString v = m_model->index(r, c).data(session::RunsModel::SortRole).toString();
            if (v.contains(QLatin1Char(',')) || v.contains(QLatin1Char('"')))
                v = QLatin1Char('"') + v.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
            row << v;
        }
        out << row.join(QLatin1Char(',')) << '\n';
    }
}

} // namespace wb::ui
