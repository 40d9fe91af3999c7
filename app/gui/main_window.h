#pragma once

#include "command_line.h"
#include "search_session.h"
#include "workspace_snapshot.h"

#include <memory>
#include <optional>

#include <QMainWindow>

class QAction;
class QCustomPlot;
class QLabel;
class QMenu;
class QListWidget;
class QProgressBar;
class QSortFilterProxyModel;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QTimer;

namespace wb::session {
class LiveRun;
class RunsModel;
class WorkspaceWatcher;
} // namespace wb::session

namespace wb::ui {

class ComparePage;
class QueuePage;
class DatasetsPage;
class DistancePage;
class RunView;
class StartPanel;

// The workbench window. Tabs: Runs (filterable table of the workspace's runs and the selected
// run, live while a search started here runs), Datasets (classes, thumbnails, suite build),
// Distances (OTDD matrix) and Compare (overlaid curves,
// speed-ups, experiments); an Issues dock; New search / pause / resume / stop; exports.
// Every read of the workspace runs on a worker thread with its own read-only connection (the
// GUI thread never waits on SQLite); searches started here record through their own writer
// connection on the search thread. GUI thread only.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Checks that `path` is a workspace (quick: opens it read-only) and lists its runs in the
    // background; on failure keeps the current workspace.
    bool openWorkspace(const QString& path, QString* error = nullptr);
    // Selects run `id` in the table and shows it (read in the background). While the workspace
    // is still being listed the request waits for the list; false when the listed workspace has
    // no such run.
    bool openRun(qint64 id, QString* error = nullptr);
    void setView(View view);
    // Lists the workspace again in the background (the selected run is shown again after).
    void reloadRuns();
    // The periodic re-listing (every few seconds while a workspace is open): applied only when
    // runs or experiments changed, the shown run re-read only when its own row changed.
    void pollWorkspace();
    // Processes events until no background read of the workspace or a run is pending (tests,
    // screenshots); false on timeout.
    bool waitUntilIdle(int timeoutMs);
    // Continues the interrupted, cancelled or failed search `id` from its newest usable
    // checkpoint, shown live after its recorded history. False (with a message) otherwise.
    bool resumeRun(qint64 id, QString* error = nullptr);

    // Starts `config` as a recorded search (optionally warm-started; see SearchSession).
    // False when a search is already running.
    bool startSearch(const darts::SearchConfig& config,
                     std::optional<store::TransferRecord> transfer = std::nullopt);

    // Window geometry and splitter from QSettings (not used for screenshots: fixed size there).
    void restoreSettings();
    // Fusion style with a dark palette (plots follow it), or the platform's light default.
    static void setDarkPalette(bool dark);
    // Flushes queued plot replots and renders the window into `path`.
    bool saveScreenshot(const QString& path, QString* error = nullptr);

    // File > Export > Run bundle of the shown run into `dir` (the same files as `supernet runs
    // export`), written in the background; the status bar reports the outcome.
    void exportRunBundleTo(const QString& dir);

    // Closes without asking (SIGTERM, SIGINT): a running search is stopped and ends as
    // cancelled, resumable, as if the user had confirmed the close.
    void closeWithoutAsking();

    QString workspacePath() const;  // as given: a file or a URI, for opening
    QString shownWorkspace() const; // for display: a URI without its password
    session::RunsModel* runsModel() const { return m_model; }
    QTableView* runsTable() const { return m_table; }
    RunView* runView() const { return m_runView; }
    // Whether the workspace's last listing has the run / the experiment.
    bool hasRun(std::int64_t id) const;
    bool hasExperiment(std::int64_t id) const;
    DatasetsPage* datasetsPage() const { return m_datasets; }
    DistancePage* distancePage() const { return m_distances; }
    ComparePage* comparePage() const { return m_compare; }
    QueuePage* queuePage() const { return m_queue; }
    StartPanel* startPanel() const { return m_start; }
    bool startPanelShown() const;
    session::SearchSession& searchSession() { return m_session; }
    QListWidget* issuesList() const { return m_issues; }

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    // Writes a run's tags (the set replaces the old one) and note, then re-lists.
    void saveAnnotations(std::int64_t runId, const QStringList& tags, const QString& note);
    // The start panel instead of the runs table while no workspace is open or it has no runs.
    void updateStartPanel();
    // File > New workspace: an empty workspace file, created and opened.
    void createWorkspace();
    void createMenus();
    void chooseWorkspace();
    // A PostgreSQL connection URI typed in (File > Open server workspace).
    void chooseServerWorkspace();
    void fillRecentMenu();
    // The selected run, read on a worker thread (the newest selection wins).
    void showSelectedRun();
    void workspaceListed(const std::shared_ptr<const session::WorkspaceSnapshot>& previous,
                         bool poll);
    void newSearch();
    // The live run's row exists: list it, then keep the live view on it.
    void liveRunAppeared(qint64 id, bool resumed);
    void drain();
    void searchFinished(int status);
    void updateRunActions();
    void exportRunBundle();
    void exportCells();
    // `plot`, or with none the current page's main plot.
    void exportPlot(QCustomPlot* plot = nullptr);
    void exportGenotype();
    // The runs table, or the distance matrix when the Distances page is showing.
    void exportTableCsv();
    void addPlotExportMenus();
    void showIssues(const std::vector<Issue>& issues, bool append);
    QString writablePath() const;

    QString m_workspace; // the open workspace database, empty = none
    session::RunsModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QTableView* m_table = nullptr;
    RunView* m_runView = nullptr;
    QSplitter* m_splitter = nullptr;
    QStackedWidget* m_runsStack = nullptr; // the start panel, or m_splitter
    StartPanel* m_start = nullptr;
    QTabWidget* m_tabs = nullptr;
    DatasetsPage* m_datasets = nullptr;
    DistancePage* m_distances = nullptr;
    ComparePage* m_compare = nullptr;
    QueuePage* m_queue = nullptr;
    QListWidget* m_issues = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_eta = nullptr;
    QAction* m_pauseAction = nullptr;
    QAction* m_resumeAction = nullptr;
    QAction* m_stopAction = nullptr;

    session::SearchSession m_session;
    QTimer* m_drainTimer = nullptr;
    QMenu* m_recentMenu = nullptr;
    session::WorkspaceWatcher* m_watcher = nullptr;
    session::LiveRun* m_live = nullptr;
    bool m_askBeforeClosing = true;          // false once a termination signal asked to close
    int m_loadGeneration = 0;                // the newest background read of a run wins
    int m_runReads = 0;                      // background reads of a run not yet applied
    std::optional<qint64> m_runAfterListing; // openRun() asked while listing
};

} // namespace wb::ui
