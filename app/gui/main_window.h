#pragma once

#include "command_line.h"
#include "search_session.h"
#include "wb/store/run_store.h"

#include <atomic>
#include <chrono>
#include <optional>

#include <QMainWindow>

class QAction;
class QLabel;
class QListWidget;
class QProgressBar;
class QSortFilterProxyModel;
class QSplitter;
class QTabWidget;
class QTableView;
class QTimer;

namespace wb::session {
class RunsModel;
}

namespace wb::ui {

class ComparePage;
class DatasetsPage;
class DistancePage;
class RunView;

// The workbench window. Tabs: Runs (filterable table of the workspace's runs and the selected
// run, live while a search started here runs), Datasets (classes, thumbnails, suite build),
// Distances (OTDD matrix) and Compare (overlaid curves,
// speed-ups, experiments); an Issues dock; New search / pause / resume / stop; exports.
// Reads the workspace through a read-only store connection; searches started here record
// through their own writer connection on the worker thread. GUI thread only.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens `path` read-only and lists its runs; on failure keeps the current workspace.
    bool openWorkspace(const QString& path, QString* error = nullptr);
    // Selects run `id` in the table and shows it; false when it is not in the workspace.
    bool openRun(qint64 id, QString* error = nullptr);
    void setView(View view);
    void reloadRuns();

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

    QString workspacePath() const;
    session::RunsModel* runsModel() const { return m_model; }
    QTableView* runsTable() const { return m_table; }
    RunView* runView() const { return m_runView; }
    DatasetsPage* datasetsPage() const { return m_datasets; }
    DistancePage* distancePage() const { return m_distances; }
    ComparePage* comparePage() const { return m_compare; }
    session::SearchSession& searchSession() { return m_session; }
    QListWidget* issuesList() const { return m_issues; }

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createMenus();
    void chooseWorkspace();
    // The selected run: read on a worker thread (the GUI never waits on the database for a
    // click) unless `now`, as for openRun() which callers expect to have shown the run.
    void showSelectedRun(bool now = false);
    void newSearch();
    void drain();
    void searchFinished(int status);
    void updateRunActions();
    void resumeSelected();
    void exportRunBundle();
    void exportCells();
    void exportPlot();
    void exportRunsCsv();
    void showIssues(const std::vector<darts::Issue>& issues, bool append);
    QString writablePath() const;

    std::optional<store::RunStore> m_store;
    session::RunsModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QTableView* m_table = nullptr;
    RunView* m_runView = nullptr;
    QSplitter* m_splitter = nullptr;
    QTabWidget* m_tabs = nullptr;
    DatasetsPage* m_datasets = nullptr;
    DistancePage* m_distances = nullptr;
    ComparePage* m_compare = nullptr;
    QListWidget* m_issues = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_eta = nullptr;
    QAction* m_pauseAction = nullptr;
    QAction* m_resumeAction = nullptr;
    QAction* m_stopAction = nullptr;

    session::SearchSession m_session;
    QTimer* m_drainTimer = nullptr;
    std::atomic<std::int64_t> m_liveRunId{0}; // set by the worker once the run row exists
    bool m_liveShown = false;
    int m_loadGeneration = 0; // the newest background read wins
    int m_liveEpochs = 0;
    std::chrono::steady_clock::time_point m_liveStart;
};

} // namespace wb::ui
