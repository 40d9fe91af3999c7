#pragma once

#include "wb/common/run_control.h"
#include "wb/darts/search_config.h"
#include "wb/transfer/source_selection.h"

#include <memory>
#include <optional>

#include <QDialog>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace wb::session {
class BackgroundJob;
}

namespace wb::ui {

// Ranks the zoo by OTDD to a target before a warm-started search: computes (or reads from the
// store's cache) the distances on a worker thread with progress, then lists the candidates
// nearest first and the excluded entries with their reasons; the user starts from the selected
// candidate (the nearest by default). GUI thread only.
class TransferAdvisor : public QDialog {
    Q_OBJECT
public:
    TransferAdvisor(QString dbPath, darts::SearchConfig target, QWidget* parent = nullptr);

    // Valid after accept(): the ranking, with `chosen` the selected candidate.
    const std::optional<transfer::SourceChoice>& choice() const { return m_choice; }

private:
    void start();
    void finish(std::shared_ptr<transfer::SourceChoice> result, const QString& error);
    void progress(const QString& stage, double fraction);

    QString m_dbPath;
    darts::SearchConfig m_target;
    session::BackgroundJob* m_job = nullptr;
    QLabel* m_status = nullptr;
    QProgressBar* m_bar = nullptr;
    QTableWidget* m_table = nullptr;
    QPushButton* m_startButton = nullptr;
    std::optional<transfer::SourceChoice> m_choice;
};

} // namespace wb::ui
