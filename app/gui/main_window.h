#pragma once

#include "command_line.h"
#include "wb/store/run_store.h"

#include <optional>

#include <QMainWindow>

class QSortFilterProxyModel;
class QSplitter;
class QTableView;

namespace wb::session {
class RunsModel;
}

namespace wb::ui {

class RunView;

// The workbench window: the runs of one workspace (table, top) and the selected run (below).
// Reads the workspace through its own read-only store connection. GUI thread only.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    // Opens `path` read-only and lists its runs; on failure keeps the current workspace.
    bool openWorkspace(const QString& path, QString* error = nullptr);
    // Selects run `id` in the table and shows it; false when it is not in the workspace.
    bool openRun(qint64 id, QString* error = nullptr);
    void setView(View view);
    void reloadRuns();

    // Window geometry and splitter from QSettings (not used for screenshots: fixed size there).
    void restoreSettings();
    // Flushes queued plot replots and renders the window into `path`.
    bool saveScreenshot(const QString& path, QString* error = nullptr);

    QString workspacePath() const;
    session::RunsModel* runsModel() const { return m_model; }
    QTableView* runsTable() const { return m_table; }
    RunView* runView() const { return m_runView; }

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createMenus();
    void chooseWorkspace();
    void showSelectedRun();

    std::optional<store::RunStore> m_store;
    session::RunsModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QTableView* m_table = nullptr;
    RunView* m_runView = nullptr;
    QSplitter* m_splitter = nullptr;
};

} // namespace wb::ui
