#include "main_window.h"

#include "background_read.h"
#include "compare_page.h"
#include "live_run.h"
#include "queue_page.h"
#include "datasets_page.h"
#include "distance_page.h"
#include "new_search_dialog.h"
#include "dark_style.h"
#include "run_view.h"
#include "start_panel.h"
#include "runs_model.h"
#include "transfer_advisor.h"
#include "workspace_watcher.h"

#include "wb/jobs/resume.h"

#include <algorithm>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDeadlineTimer>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QImage>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include "wb/store/workspace_location.h"

namespace wb::ui {
namespace {

const auto kGeometryKey = QStringLiteral("mainWindow/geometry");
const auto kStateKey = QStringLiteral("mainWindow/state");
const auto kSplitterKey = QStringLiteral("mainWindow/splitter");
const auto kWorkspaceKey = QStringLiteral("workspace/last");
// Workspaces opened lately (files and URIs without a password), newest first.
const auto kRecentKey = QStringLiteral("workspace/recent");
constexpr int kRecentCount = 8;
const auto kDarkKey = QStringLiteral("view/dark");
// Drain period of the live session queue: ~30 updates a second is smooth and cheap.
constexpr int kDrainMs = 35;

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
    connect(m_runView, &RunView::annotationsEdited, this, &MainWindow::saveAnnotations);
    connect(m_runView, &RunView::stopRequested, this, [this] { m_session.stop(); });
    auto* filter = new QLineEdit(this);
    filter->setPlaceholderText(tr("Filter runs (any column: kind, status, dataset, …)"));
    filter->setClearButtonEnabled(true);
    filter->setToolTip(tr("Show only the runs whose row contains this text (kind, status, "
                          "dataset, tags, …)"));
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
    m_queue = new QueuePage(this);
    connect(m_queue, &QueuePage::changed, this, [this] { reloadRuns(); });
    m_start = new StartPanel(this);
    connect(m_start, &StartPanel::newSearch, this, [this] { newSearch(); });
    connect(m_start, &StartPanel::buildSuite, this, [this] {
        setView(View::Datasets);
        m_datasets->buildSuite();
    });
    connect(m_start, &StartPanel::openWorkspace, this, [this] { chooseWorkspace(); });
    connect(m_start, &StartPanel::newWorkspace, this, [this] { createWorkspace(); });
    m_runsStack = new QStackedWidget(this);
    m_runsStack->addWidget(m_start);
    m_runsStack->addWidget(m_splitter);
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(m_runsStack, tr("&Runs"));
    m_tabs->addTab(m_datasets, tr("Data&sets"));
    m_tabs->addTab(m_distances, tr("&Distances"));
    m_tabs->addTab(m_compare, tr("&Compare"));
    m_tabs->addTab(m_queue, tr("&Queue"));
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

    // Runs recorded by other processes (the CLI, workers) appear without a manual reload.
    m_watcher = new session::WorkspaceWatcher(this);
    connect(m_watcher, &session::WorkspaceWatcher::listingStarted, this,
            [this] { statusBar()->showMessage(tr("Listing %1…").arg(shownWorkspace())); });
    connect(m_watcher, &session::WorkspaceWatcher::listed, this, &MainWindow::workspaceListed);
    connect(m_watcher, &session::WorkspaceWatcher::listingFailed, this,
            [this](const QString& message) {
                statusBar()->showMessage(message);
                m_runAfterListing.reset();
            });
    connect(m_watcher, &session::WorkspaceWatcher::notificationsLost, this,
            [this](const QString& message) {
                statusBar()->showMessage(
                    tr("Not notified of changes any more (%1); polling.").arg(message));
            });

    m_live = new session::LiveRun(this);
    connect(m_live, &session::LiveRun::appeared, this, &MainWindow::liveRunAppeared);
    connect(m_live, &session::LiveRun::progressed, this,
            [this](double fraction, const QString& status) {
                m_progress->setValue(int(1000 * fraction));
                m_eta->setText(status);
            });
    connect(m_live, &session::LiveRun::ended, this, [this] {
        m_progress->hide();
        m_eta->clear();
    });

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
    updateStartPanel();
    addPlotExportMenus();
    updateRunActions();
    statusBar()->showMessage(tr("No workspace open"));
    resize(1280, 860);
}

MainWindow::~MainWindow() = default;

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New workspace…"), this, [this] { createWorkspace(); });
    QAction* open = file->addAction(tr("&Open workspace…"), this, [this] { chooseWorkspace(); });
    open->setShortcut(QKeySequence::Open);
    file->addAction(tr("Open &server workspace…"), this, [this] { chooseServerWorkspace(); });
    m_recentMenu = file->addMenu(tr("Open &recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, [this] { fillRecentMenu(); });
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
    exportMenu->addAction(tr("&Genotype as JSON or DARTS literal…"), this,
                          [this] { exportGenotype(); });
    exportMenu->addAction(tr("&Plot as PNG/PDF/SVG…"), this, [this] { exportPlot(); });
    exportMenu->addAction(tr("&Table as CSV (runs, or the distance matrix)…"), this,
                          [this] { exportTableCsv(); });
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
    QAction* queue = view->addAction(tr("&Queue"), this, [this] { setView(View::Queue); });
    queue->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_6));

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
    search->addAction(tr("Resume selected run"), this, [this] {
        QString error;
        if (!resumeRun(m_runView->runId(), &error))
            QMessageBox::information(this, tr("Resume"), error);
    });
    QToolBar* bar = addToolBar(tr("Search"));
    bar->setObjectName(QStringLiteral("searchToolBar"));
    bar->addActions({create, m_pauseAction, m_resumeAction, m_stopAction});
}

bool MainWindow::openWorkspace(const QString& path, QString* error)
{
    try {
        // Opening checks the file (SQLite, our application id, a schema we know) at once, so a
        // wrong file is refused here; the listing itself runs in the background.
        store::RunStore::openReadOnly(path.toStdString());
    } catch (const std::exception& e) {
        const QString message = QString::fromUtf8(e.what());
        statusBar()->showMessage(message);
        if (error) *error = message;
        return false;
    }
    m_workspace = path;
    if (!m_session.isRunning()) m_runView->clear();
    m_distances->setWorkspace(path);
    m_queue->setWorkspace(path);
    const auto shown = shownWorkspace();
    setWindowTitle(tr("%1 – Supernet Workbench")
                       .arg(store::isServerWorkspace(path.toStdString())
                                ? shown
                                : QFileInfo(path).fileName()));
    // A URI's password is never stored: such a workspace is not remembered (~/.pgpass is).
    if (shown == path) {
        QSettings().setValue(kWorkspaceKey, path);
        auto recent = QSettings().value(kRecentKey).toStringList();
        recent.removeAll(path);
        recent.prepend(path);
        QSettings().setValue(kRecentKey, recent.mid(0, kRecentCount));
    }
    m_watcher->watch(path);
    updateStartPanel();
    return true;
}

QString MainWindow::workspacePath() const
{
    return m_workspace;
}

QString MainWindow::shownWorkspace() const
{
    return QString::fromStdString(store::redactedWorkspace(m_workspace.toStdString()));
}

void MainWindow::reloadRuns()
{
    m_watcher->reload();
}

void MainWindow::pollWorkspace()
{
    m_watcher->poll();
}

void MainWindow::workspaceListed(const std::shared_ptr<const session::WorkspaceSnapshot>& previous,
                                 bool poll)
{
    const session::WorkspaceSnapshot& snapshot = *m_watcher->snapshot();
    const qint64 current = m_runView->runId();
    // A poll re-reads the shown run only when its row changed (a CLI run progressing).
    const auto row = [current](const session::WorkspaceSnapshot& s) {
        const auto it = std::find_if(s.runs.begin(), s.runs.end(),
                                     [current](const auto& r) { return r.id == current; });
        return it == s.runs.end() ? std::optional<store::RunSummary>{} : *it;
    };
    const auto before = row(*previous);
    const auto after = row(snapshot);
    const bool shownChanged =
        !before || !after || before->epochs != after->epochs || before->status != after->status;
    {
        // The reset would otherwise select nothing and clear the run view.
        const QSignalBlocker block(m_table->selectionModel());
        m_model->setSnapshot(snapshot);
    }
    m_compare->setSnapshot(snapshot);
    m_queue->setSnapshot(snapshot);
    if (!poll) m_table->resizeColumnsToContents();
    updateStartPanel();
    statusBar()->showMessage(
        tr("%n run(s) in %1", nullptr, m_model->rowCount()).arg(shownWorkspace()));
    const qint64 wanted = m_runAfterListing.value_or(current);
    m_runAfterListing.reset();
    if (wanted <= 0) return;
    if (poll && !shownChanged) {
        // Keep the row selected without reading the run again.
        const int r = m_model->rowOfRun(wanted);
        const QSignalBlocker block(m_table->selectionModel());
        if (r >= 0) m_table->setCurrentIndex(m_proxy->mapFromSource(m_model->index(r, 0)));
        return;
    }
    QString error;
    if (openRun(wanted, &error)) return;
    statusBar()->showMessage(error);
    // The shown run is gone (deleted by another process): do not keep showing it.
    if (wanted == current && !(m_session.isRunning() && current == m_live->runId()))
        m_runView->clear();
}

bool MainWindow::openRun(qint64 id, QString* error)
{
    if (m_watcher->isListing()) {
        m_runAfterListing = id;
        return true;
    }
    const int row = m_model->rowOfRun(id);
    if (m_workspace.isEmpty() || row < 0) {
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
    showSelectedRun();
    m_table->scrollTo(index);
    return true;
}

bool MainWindow::waitUntilIdle(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    const auto idle = [this] { return m_runReads == 0 && !m_watcher->isBusy(); };
    while (!idle() && !deadline.hasExpired())
        QApplication::processEvents(QEventLoop::AllEvents, 20);
    return idle();
}

bool MainWindow::hasRun(std::int64_t id) const
{
    return m_model->rowOfRun(id) >= 0;
}

bool MainWindow::hasExperiment(std::int64_t id) const
{
    const auto snapshot = m_watcher->snapshot();
    return snapshot && std::any_of(snapshot->experiments.begin(), snapshot->experiments.end(),
                                   [id](const auto& e) { return e.id == id; });
}

void MainWindow::showSelectedRun()
{
    const QModelIndex current = m_table->currentIndex();
    if (m_workspace.isEmpty() || !current.isValid()) {
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
    if (m_session.isRunning() && id == m_live->runId()) return; // the live view is there
    const int generation = ++m_loadGeneration;
    ++m_runReads;
    statusBar()->showMessage(tr("Loading run %1…").arg(id));
    session::readInBackground<RunView::RunData>(
        this, m_workspace.toStdString(),
        [id](store::RunStore& store) { return RunView::read(store, id); },
        [this, generation](std::shared_ptr<const RunView::RunData> data, const QString& error) {
            --m_runReads;
            if (generation != m_loadGeneration) return; // superseded by a newer selection
            if (!data) {
                m_runView->clear();
                statusBar()->showMessage(error);
                return;
            }
            m_runView->display(*data);
            showIssues(data->issues, false);
            statusBar()->clearMessage();
        });
}

void MainWindow::setView(View view)
{
    if (view == View::Datasets) return m_tabs->setCurrentWidget(m_datasets);
    if (view == View::Distance) return m_tabs->setCurrentWidget(m_distances);
    if (view == View::Compare) return m_tabs->setCurrentWidget(m_compare);
    if (view == View::Queue) return m_tabs->setCurrentWidget(m_queue);
    m_tabs->setCurrentWidget(m_runsStack);
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

void MainWindow::chooseServerWorkspace()
{
    bool ok = false;
    const QString uri = QInputDialog::getText(
        this, tr("Open server workspace"),
        tr("PostgreSQL connection URI, e.g. postgresql://user@host:5432/database?sslmode=require\n"
           "(keep the password in ~/.pgpass or PGPASSFILE; one given here is never shown or "
           "remembered)"),
        QLineEdit::Normal, QStringLiteral("postgresql://"), &ok);
    if (!ok || uri.trimmed().isEmpty()) return;
    QString error;
    if (!openWorkspace(uri.trimmed(), &error))
        QMessageBox::warning(this, tr("Open server workspace"), error);
}

void MainWindow::fillRecentMenu()
{
    m_recentMenu->clear();
    const auto recent = QSettings().value(kRecentKey).toStringList();
    if (recent.isEmpty()) m_recentMenu->addAction(tr("(none yet)"))->setEnabled(false);
    for (const auto& path : recent)
        m_recentMenu->addAction(path, this, [this, path] {
            QString error;
            if (!openWorkspace(path, &error))
                QMessageBox::warning(this, tr("Open workspace"), error);
        });
}

void MainWindow::setDarkPalette(bool dark)
{
    static const QString platformStyle = QApplication::style()->name();
    if (!dark) {
        QApplication::setStyle(platformStyle);
        QApplication::setPalette(QApplication::style()->standardPalette());
        return;
    }
    QApplication::setStyle(new DarkStyle); // the application takes ownership
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
    p.setColor(QPalette::PlaceholderText, QColor(140, 140, 140));
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
        const auto answer =
            m_askBeforeClosing
                ? QMessageBox::question(this, tr("Search running"),
                                        tr("A search is running. Stop it (its finished epochs "
                                           "stay recorded and it can be resumed) and quit?"))
                : QMessageBox::Yes;
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

void MainWindow::closeWithoutAsking()
{
    m_askBeforeClosing = false;
    close();
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
    return open.isEmpty() ? QString::fromStdString(store::defaultWorkspace()) : open;
}

void MainWindow::newSearch()
{
    if (m_session.isRunning()) {
        QMessageBox::information(this, tr("New search"), tr("A search is already running."));
        return;
    }
    NewSearchDialog dialog(m_watcher->snapshot()->zoo, this);
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
        link = choice.record();
    } else if (start != QLatin1String("scratch")) {
        for (const auto& e : m_watcher->snapshot()->zoo)
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
    m_live->begin(config.epochs, false);
    m_progress->setValue(0);
    m_progress->show();
    m_issues->clear();
    const bool started = m_session.start(session::SearchSession::recordedSearchRunner(
        writablePath().toStdString(), config, std::move(transfer),
        [live = m_live](std::int64_t id) { live->setRunId(id); }));
    if (!started) return false;
    m_runView->beginLive(0, QString::fromStdString(config.data.path));
    updateStartPanel(); // the live run shows in the runs view at once
    setView(View::Run);
    updateRunActions();
    statusBar()->showMessage(
        tr("Search started on %1").arg(QString::fromStdString(config.data.path)));
    return true;
}

void MainWindow::liveRunAppeared(qint64 id, bool resumed)
{
    if (m_workspace.isEmpty())
        openWorkspace(writablePath());
    else
        reloadRuns();
    if (resumed && m_runView->runId() == id)
        m_runView->continueLive();
    else
        m_runView->beginLive(id, tr("search started here"));
}

void MainWindow::drain()
{
    const session::SessionEvents events = m_session.drain();
    m_live->update(events);
    m_runView->appendLive(events);
    showIssues(events.issues, true);
}

void MainWindow::searchFinished(int status)
{
    drain();
    m_live->end();
    updateRunActions();
    const qint64 id = m_live->runId();
    statusBar()->showMessage(
        tr("Search %1: %2").arg(id).arg(QString::fromStdString(statusName(RunStatus(status)))));
    if (m_workspace.isEmpty())
        openWorkspace(writablePath());
    else
        reloadRuns();
    // Shown again from the store once listed: the recorded run is the reference.
    if (id > 0) openRun(id);
}

void MainWindow::updateRunActions()
{
    const bool running = m_session.isRunning();
    m_pauseAction->setEnabled(running && !m_session.isPaused());
    m_resumeAction->setEnabled(running && m_session.isPaused());
    m_stopAction->setEnabled(running);
}

void MainWindow::showIssues(const std::vector<Issue>& issues, bool append)
{
    if (!append) m_issues->clear();
    for (const auto& i : issues) {
        const char* level = i.severity == Severity::Error     ? "error"
                            : i.severity == Severity::Warning ? "warning"
                                                              : "info";
        auto* item = new QListWidgetItem(tr("epoch %1 · %2 · %3")
                                             .arg(i.epoch)
                                             .arg(QLatin1String(level))
                                             .arg(QString::fromStdString(i.message)),
                                         m_issues);
        if (i.severity != Severity::Info)
            item->setForeground(i.severity == Severity::Error ? QColor(190, 0, 0)
                                                              : QColor(180, 110, 0));
    }
}

bool MainWindow::resumeRun(qint64 id, QString* error)
{
    const auto refuse = [&](const QString& message) {
        if (error) *error = message;
        statusBar()->showMessage(message);
        return false;
    };
    if (m_session.isRunning()) return refuse(tr("A search is already running."));
    const auto& shown = m_runView->details();
    if (m_workspace.isEmpty() || !shown || shown->id != id)
        return refuse(tr("Select run %1 first (it is not shown yet).").arg(id));
    if (const auto why = jobs::whyNotResumable(*shown)) return refuse(QString::fromStdString(*why));
    if (shown->kind != "search")
        return refuse(
            tr("Run %1 is a training; resume it with `supernet runs resume %1`.").arg(id));
    darts::SearchConfig config;
    try {
        config = darts::SearchConfig::fromJson(shown->configJson);
    } catch (const std::exception& e) {
        return refuse(tr("Run %1: its stored config does not parse: %2")
                          .arg(id)
                          .arg(QString::fromUtf8(e.what())));
    }
    m_live->begin(config.epochs, true, id); // the run row exists already
    m_progress->setValue(0);
    m_progress->show();
    m_session.start(session::SearchSession::resumedSearchRunner(m_workspace.toStdString(), id));
    updateRunActions();
    statusBar()->showMessage(tr("Resuming run %1…").arg(id));
    return true;
}

void MainWindow::saveAnnotations(std::int64_t runId, const QStringList& tags, const QString& note)
{
    if (m_workspace.isEmpty() || runId <= 0) return;
    std::vector<std::string> wanted;
    for (const auto& t : tags)
        wanted.push_back(t.toStdString());
    statusBar()->showMessage(tr("Saving the tags and note of run %1…").arg(runId));
    session::readInBackground<bool>(
        this, m_workspace.toStdString(),
        [runId, wanted, note = note.toStdString()](store::RunStore& store) {
            store.transaction([&] {
                store.setTags(runId, wanted);
                store.setNote(runId, note);
            });
            return true;
        },
        [this, runId](std::shared_ptr<const bool> saved, const QString& error) {
            if (!saved) {
                statusBar()->showMessage(tr("Run %1: %2").arg(runId).arg(error));
                return;
            }
            statusBar()->showMessage(tr("Saved the tags and note of run %1").arg(runId), 5000);
            reloadRuns();
        },
        /*write=*/true);
}

void MainWindow::updateStartPanel()
{
    const bool empty =
        m_workspace.isEmpty() || (m_model->rowCount() == 0 && !m_session.isRunning());
    m_start->setWorkspace(m_workspace.isEmpty() ? QString() : shownWorkspace());
    m_runsStack->setCurrentWidget(empty ? static_cast<QWidget*>(m_start) : m_splitter);
}

bool MainWindow::startPanelShown() const
{
    return m_runsStack->currentWidget() == m_start;
}

void MainWindow::createWorkspace()
{
    QString path = QFileDialog::getSaveFileName(
        this, tr("New workspace"), QDir::homePath() + QStringLiteral("/workspace.sqlite"),
        tr("Workspaces (*.sqlite)"));
    if (path.isEmpty()) return;
    if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".sqlite");
    try {
        store::RunStore::open(path.toStdString()); // creates the file with the current schema
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("New workspace"), QString::fromUtf8(e.what()));
        return;
    }
    openWorkspace(path);
}

} // namespace wb::ui
