#pragma once

#include "wb/common/run_control.h"

#include <functional>

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace wb::session {
class BackgroundJob;
}

namespace wb::ui {

class PathList;

// Datasets: a remembered list (add a folder or file by dialog or drag and drop); the selected
// one is loaded on a worker thread and shown with its format, geometry, fingerprint, class
// counts and a thumbnail grid (one row per class: name, count, its first images). "Build offline
// suite…" runs the suite builder on a worker thread with its progress lines; the same button
// stops it after the dataset being built (as does closing the page). GUI thread only.
class DatasetsPage : public QWidget {
    Q_OBJECT
public:
    explicit DatasetsPage(QWidget* parent = nullptr);

    void setDatasets(const QStringList& paths);
    QStringList datasets() const;
    // Loads and shows `path` (asynchronously; waitUntilIdle() for tests and screenshots).
    void showDataset(const QString& path);
    bool waitUntilIdle(int timeoutMs);
    void buildSuite();
    bool busy() const;
    int thumbnailCount() const;
    QTableWidget* classTable() const { return m_classes; }
    const QString& fingerprint() const { return m_fingerprint; }

private:
    // Runs `work` on the page's job thread with the busy bar shown; false while one runs.
    bool runJob(
        std::function<void(RunControl&, const std::function<void(std::function<void()>)>&)> work);

    PathList* m_list = nullptr;
    QLabel* m_header = nullptr;
    QTableWidget* m_classes = nullptr;
    QPlainTextEdit* m_log = nullptr;
    QProgressBar* m_busy = nullptr;
    QPushButton* m_suiteButton = nullptr;
    session::BackgroundJob* m_job = nullptr;
    QString m_fingerprint;
};

} // namespace wb::ui
