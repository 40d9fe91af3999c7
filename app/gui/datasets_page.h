#pragma once

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QThread;

namespace wb::ui {

class PathList;

// Datasets: a remembered list (add a folder or file by dialog or drag and drop); the selected
// one is loaded on a worker thread and shown with its format, geometry, fingerprint, class
// counts and a thumbnail grid (one row per class: name, count, its first images). "Build offline
// suite…" runs the suite builder on a worker thread with its progress lines. GUI thread only.
class DatasetsPage : public QWidget {
    Q_OBJECT
public:
    explicit DatasetsPage(QWidget* parent = nullptr);
    ~DatasetsPage() override;

    void setDatasets(const QStringList& paths);
    QStringList datasets() const;
    // Loads and shows `path` (asynchronously; waitUntilIdle() for tests and screenshots).
    void showDataset(const QString& path);
    bool waitUntilIdle(int timeoutMs);
    void buildSuite();
    int thumbnailCount() const;
    QTableWidget* classTable() const { return m_classes; }
    const QString& fingerprint() const { return m_fingerprint; }

private:
    void runJob(const std::function<void()>& job);

    PathList* m_list = nullptr;
    QLabel* m_header = nullptr;
    QTableWidget* m_classes = nullptr;
    QPlainTextEdit* m_log = nullptr;
    QProgressBar* m_busy = nullptr;
    QPushButton* m_suiteButton = nullptr;
    QThread* m_thread = nullptr;
    QString m_fingerprint;
};

} // namespace wb::ui
