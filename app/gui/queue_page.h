#pragma once

#include "workspace_snapshot.h"

#include <QString>
#include <QWidget>

class QLabel;
class QPushButton;
class QTableWidget;

namespace wb::session {
class BackgroundJob;
}

namespace wb::ui {

// Queue: the workspace's jobs (state, attempts, worker, progress, run, last error) and its
// workers, refreshed with every listing of the workspace, so cells that finish on other machines
// appear here; the selected job can be cancelled or queued again. GUI thread only.
class QueuePage : public QWidget {
    Q_OBJECT
public:
    explicit QueuePage(QWidget* parent = nullptr);
    void setWorkspace(const QString& db);
    void setSnapshot(const session::WorkspaceSnapshot& snapshot);
    QTableWidget* jobsTable() const { return m_jobs; }
    QString workersText() const;

Q_SIGNALS:
    // A cancel or retry was stored: the workspace should be listed again.
    void changed();

private:
    void act(bool cancel);

    QString m_db;
    QTableWidget* m_jobs = nullptr;
    QLabel* m_workers = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_cancel = nullptr;
    QPushButton* m_retry = nullptr;
    session::BackgroundJob* m_job = nullptr;
};

} // namespace wb::ui
