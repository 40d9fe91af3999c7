#include "transfer_advisor.h"

#include "background_job.h"

#include "wb/store/run_store.h"
#include "wb/transfer/distance_settings.h"

#include <chrono>

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace wb::ui {
namespace {

// Forwards OT progress from the worker to the dialog, at most ten times a second (Sinkhorn
// reports every iteration).
class AdvisorProgress : public ot::OtObserver {
public:
    explicit AdvisorProgress(std::function<void(QString, double)> post) : m_post(std::move(post)) {}
    void onProgress(const std::string& stage, double fraction) override
    {
        const auto now = std::chrono::steady_clock::now();
        if (now - m_last < std::chrono::milliseconds(100)) return;
        m_last = now;
        m_post(QString::fromStdString(stage), fraction);
    }

private:
    std::function<void(QString, double)> m_post;
    std::chrono::steady_clock::time_point m_last{};
};

} // namespace

TransferAdvisor::TransferAdvisor(QString dbPath, darts::SearchConfig target, QWidget* parent)
    : QDialog(parent), m_dbPath(std::move(dbPath)), m_target(std::move(target))
{
    setWindowTitle(tr("Transfer advisor"));
    m_status = new QLabel(
        tr("Ranking the zoo by OTDD to %1…").arg(QString::fromStdString(m_target.data.path)), this);
    m_status->setWordWrap(true);
    m_bar = new QProgressBar(this);
    m_bar->setRange(0, 1000);
    m_table = new QTableWidget(0, 4, this);
    m_table->setHorizontalHeaderLabels({tr("Rank"), tr("Zoo entry"), tr("OTDD"), tr("Note")});
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_startButton = buttons->addButton(tr("Start from selected"), QDialogButtonBox::AcceptRole);
    m_startButton->setEnabled(false);
    m_startButton->setToolTip(tr("Warm-start the search from the selected zoo supernet (the "
                                 "nearest is selected first)"));
    buttons->button(QDialogButtonBox::Cancel)
        ->setToolTip(tr("Stop the ranking and go back without starting"));
    m_table->setToolTip(tr("The zoo's supernets by OTDD to this dataset, nearest first; excluded "
                           "entries say why"));
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        const int row = m_table->currentRow();
        if (!m_choice || row < 0 || row >= int(m_choice->ranking.size())) return;
        const auto& picked = m_choice->ranking[std::size_t(row)];
        if (!picked.excluded.empty()) return;
        m_choice->chosen = picked.entry;
        m_choice->distance = picked.distance;
        m_choice->mode = row == 0 ? "auto" : "id";
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(m_bar);
    layout->addWidget(m_table, 1);
    layout->addWidget(buttons);
    resize(620, 380);
    start();
}

void TransferAdvisor::start()
{
    m_job = new session::BackgroundJob(this);
    m_job->start([this, db = m_dbPath.toStdString(), target = m_target](RunControl& control,
                                                                        const auto& post) {
        std::shared_ptr<transfer::SourceChoice> result;
        QString error;
        try {
            auto store = store::RunStore::open(db);
            AdvisorProgress progress([this, &post](QString stage, double fraction) {
                post([this, stage, fraction] { this->progress(stage, fraction); });
            });
            result = std::make_shared<transfer::SourceChoice>(transfer::chooseSource(
                "auto", target, store, transfer::DistanceSettings{}.resolve(&store), control,
                progress));
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        post([this, result, error] { finish(result, error); });
    });
}

void TransferAdvisor::progress(const QString& stage, double fraction)
{
    m_status->setText(tr("Ranking the zoo by OTDD: %1").arg(stage));
    m_bar->setValue(int(1000 * fraction));
}

void TransferAdvisor::finish(std::shared_ptr<transfer::SourceChoice> result, const QString& error)
{
    m_bar->setValue(1000);
    if (!result) {
        m_status->setText(tr("<font color='#b00'>%1</font>").arg(error.toHtmlEscaped()));
        return;
    }
    m_choice = *result;
    m_table->setRowCount(int(m_choice->ranking.size()));
    int rank = 0;
    for (std::size_t i = 0; i < m_choice->ranking.size(); ++i) {
        const auto& r = m_choice->ranking[i];
        const bool candidate = r.excluded.empty();
        const int row = int(i);
        m_table->setItem(row, 0, new QTableWidgetItem(candidate ? QString::number(++rank) : "-"));
        m_table->setItem(
            row, 1,
            new QTableWidgetItem(
                tr("%1 (zoo %2)").arg(QString::fromStdString(r.entry.name)).arg(r.entry.id)));
        m_table->setItem(row, 2,
                         new QTableWidgetItem(r.distance ? QString::number(*r.distance, 'g', 5)
                                                         : QStringLiteral("-")));
        QString note = QString::fromStdString(r.excluded);
        if (candidate && r.distance && !r.converged) note = tr("Sinkhorn not converged");
        if (candidate && r.cached) note += tr("cached");
        m_table->setItem(row, 3, new QTableWidgetItem(note));
        if (!candidate)
            for (int c = 0; c < 4; ++c)
                m_table->item(row, c)->setFlags(Qt::NoItemFlags);
    }
    m_table->resizeColumnsToContents();
    m_table->selectRow(0);
    m_status->setText(tr("Nearest: %1. Pick another row to override.")
                          .arg(QString::fromStdString(m_choice->chosen.name)));
    m_startButton->setEnabled(true);
}

} // namespace wb::ui
