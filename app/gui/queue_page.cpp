#include "queue_page.h"

#include "background_job.h"

#include "wb/store/run_store.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace wb::ui {
namespace {

QTableWidgetItem* cell(const QString& text, const QString& tip = {})
{
    auto* item = new QTableWidgetItem(text);
    if (!tip.isEmpty()) item->setToolTip(tip);
    return item;
}

} // namespace

QueuePage::QueuePage(QWidget* parent) : QWidget(parent)
{
    m_jobs = new QTableWidget(0, 8, this);
    m_jobs->setHorizontalHeaderLabels({tr("Job"), tr("Kind"), tr("State"), tr("Attempts"),
                                       tr("Worker"), tr("Progress"), tr("Run"), tr("Last error")});
    m_jobs->horizontalHeader()->setStretchLastSection(true);
    m_jobs->verticalHeader()->hide();
    m_jobs->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_jobs->setSelectionMode(QAbstractItemView::SingleSelection);
    m_jobs->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_jobs->setToolTip(tr("Jobs queued with --queue; `supernet worker` processes on any machine "
                          "run them"));
    m_workers = new QLabel(this);
    m_workers->setWordWrap(true);
    m_status = new QLabel(this);
    m_cancel = new QPushButton(tr("Cancel job"), this);
    m_cancel->setToolTip(tr("A queued job is not run; a running one stops at its worker's next "
                            "heartbeat"));
    m_retry = new QPushButton(tr("Retry job"), this);
    m_retry->setToolTip(tr("Queue a failed or cancelled job again, with a fresh attempt budget"));
    m_job = new session::BackgroundJob(this);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_retry);
    buttons->addWidget(m_status, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_jobs, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_workers);

    connect(m_cancel, &QPushButton::clicked, this, [this] { act(true); });
    connect(m_retry, &QPushButton::clicked, this, [this] { act(false); });
    setSnapshot({});
}

void QueuePage::setWorkspace(const QString& db)
{
    m_db = db;
}

void QueuePage::setSnapshot(const session::WorkspaceSnapshot& s)
{
    const auto selected = m_jobs->currentRow() >= 0 && m_jobs->item(m_jobs->currentRow(), 0)
                              ? m_jobs->item(m_jobs->currentRow(), 0)->text()
                              : QString();
    m_jobs->setRowCount(int(s.jobs.size()));
    for (std::size_t i = 0; i < s.jobs.size(); ++i) {
        const auto& j = s.jobs[i];
        const int row = int(i);
        const auto error = j.errors.empty() ? QString() : QString::fromStdString(j.errors.back());
        m_jobs->setItem(row, 0, cell(QString::number(j.id)));
        m_jobs->setItem(row, 1, cell(QString::fromStdString(j.kind)));
        m_jobs->setItem(row, 2, cell(QString::fromStdString(store::jobStateName(j.state))));
        m_jobs->setItem(
            row, 3,
            cell(tr("%1 (%2 failed of %3)").arg(j.attempt).arg(j.failures).arg(j.maxAttempts)));
        m_jobs->setItem(row, 4, cell(QString::fromStdString(j.worker)));
        m_jobs->setItem(row, 5,
                        cell(j.progress ? QStringLiteral("%1 %").arg(100 * *j.progress, 0, 'f', 0)
                                        : QStringLiteral("-")));
        m_jobs->setItem(row, 6, cell(j.runId ? QString::number(*j.runId) : QStringLiteral("-")));
        QStringList all;
        for (const auto& e : j.errors)
            all << QString::fromStdString(e);
        m_jobs->setItem(row, 7, cell(error, all.join(QLatin1Char('\n'))));
        if (QString::number(j.id) == selected) m_jobs->selectRow(row);
    }
    QStringList workers;
    for (const auto& w : s.workers)
        workers << tr("%1 on %2 (pid %3): %4%5, heartbeat %6")
                       .arg(QString::fromStdString(w.name), QString::fromStdString(w.host))
                       .arg(w.pid)
                       .arg(QString::fromStdString(w.state))
                       .arg(w.jobId ? tr(" job %1").arg(*w.jobId) : QString())
                       .arg(QString::fromStdString(store::isoTime(w.heartbeatAt)));
    m_workers->setText(workers.isEmpty()
                           ? tr("No worker has used this workspace yet: start one with "
                                "`supernet worker --db …`.")
                           : tr("Workers: %1").arg(workers.join(QStringLiteral("; "))));
}

QString QueuePage::workersText() const
{
    return m_workers->text();
}

void QueuePage::act(bool cancel)
{
    const int row = m_jobs->currentRow();
    if (row < 0 || m_db.isEmpty() || m_job->isRunning()) return;
    const auto id = m_jobs->item(row, 0)->text().toLongLong();
    m_job->start([this, cancel, id, db = m_db.toStdString()](RunControl&, const auto& post) {
        QString message;
        try {
            auto store = store::RunStore::open(db);
            if (cancel)
                store.cancelJob(id);
            else
                store.retryJob(id);
            message = cancel ? tr("Job %1 cancelled.").arg(id) : tr("Job %1 queued again.").arg(id);
        } catch (const std::exception& e) {
            message = QString::fromUtf8(e.what());
        }
        post([this, message] {
            m_status->setText(message);
            Q_EMIT changed();
        });
    });
}

} // namespace wb::ui
