#include "datasets_page.h"

#include "background_job.h"
#include "path_list.h"

#include "wb/data/dataset.h"
#include "wb/suite/suite.h"

#include <memory>

#include <QApplication>
#include <QDeadlineTimer>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace wb::ui {
namespace {

const auto kListKey = QStringLiteral("datasets/list");
// Thumbnails per class row (48 px each: a 1280 px window shows them all).
constexpr int kThumbsPerClass = 12;
constexpr int kThumbSize = 48;

QImage toImage(const data::Dataset& ds, std::size_t index)
{
    const auto* p = ds.image(index);
    const int h = ds.height, w = ds.width;
    QImage image(w, h, QImage::Format_RGB32);
    const std::size_t plane = std::size_t(h) * std::size_t(w);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const std::size_t k = std::size_t(y) * std::size_t(w) + std::size_t(x);
            const int r = p[k];
            const int g = ds.channels == 3 ? p[plane + k] : r;
            const int b = ds.channels == 3 ? p[2 * plane + k] : r;
            image.setPixel(x, y, qRgb(r, g, b));
        }
    return image.scaled(kThumbSize, kThumbSize, Qt::KeepAspectRatio, Qt::FastTransformation);
}

// What the worker hands to the GUI thread: value types and QImages only.
struct Loaded {
    QString header, error, fingerprint;
    std::vector<std::pair<QString, int>> classes;
    std::vector<std::vector<QImage>> thumbs; // per class, up to kThumbsPerClass
};

} // namespace

DatasetsPage::DatasetsPage(QWidget* parent) : QWidget(parent)
{
    m_list = new PathList(kListKey, this);
    auto* addFolder = new QPushButton(tr("Add folder…"), this);
    auto* addFile = new QPushButton(tr("Add file…"), this);
    auto* remove = new QPushButton(tr("Remove"), this);
    m_suiteButton = new QPushButton(tr("Build offline suite…"), this);
    addFolder->setToolTip(tr("Add a dataset folder (IDX, Meta-Album, ImageFolder, CIFAR)"));
    addFile->setToolTip(tr("Add a dataset file (an IDX images file)"));
    remove->setToolTip(tr("Remove the selected dataset from the list (its files stay)"));
    m_suiteButton->setToolTip(tr("Build the offline suite of real datasets from Debian "
                                 "packages into a folder (no dataset download needed)"));
    m_job = new session::BackgroundJob(this);
    m_header = new QLabel(tr("Select a dataset."), this);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // One row per class: its name, its image count, then its first thumbnails.
    m_classes = new QTableWidget(0, 2 + kThumbsPerClass, this);
    QStringList headers{tr("Class"), tr("Images"), tr("Samples")};
    while (headers.size() < m_classes->columnCount())
        headers << QString();
    m_classes->setHorizontalHeaderLabels(headers);
    m_classes->verticalHeader()->hide();
    m_classes->verticalHeader()->setDefaultSectionSize(kThumbSize + 6);
    m_classes->setIconSize(QSize(kThumbSize, kThumbSize));
    m_classes->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_classes->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_classes->setShowGrid(false);
    for (int c = 2; c < m_classes->columnCount(); ++c)
        m_classes->setColumnWidth(c, kThumbSize + 8);
    m_log = new QPlainTextEdit(this);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(2000);
    m_log->hide();
    // A busy bar while a dataset loads or the suite builds (the builder reports lines, not a
    // fraction: its log shows each package as it is fetched).
    m_busy = new QProgressBar(this);
    m_busy->setRange(0, 0);
    m_busy->hide();

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(addFolder);
    buttons->addWidget(addFile);
    buttons->addWidget(remove);
    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->addWidget(m_list, 1);
    leftLayout->addLayout(buttons);
    leftLayout->addWidget(m_suiteButton);
    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->addWidget(m_header);
    rightLayout->addWidget(m_classes, 1);
    rightLayout->addWidget(m_busy);
    rightLayout->addWidget(m_log);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    split->setSizes({280, 900});
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(addFolder, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Add dataset folder"));
        if (!dir.isEmpty()) setDatasets(datasets() << dir);
    });
    connect(addFile, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Add dataset file"), {},
                                                          tr("IDX or CIFAR files (*)"));
        if (!file.isEmpty()) setDatasets(datasets() << file);
    });
    connect(remove, &QPushButton::clicked, m_list, &PathList::removeCurrent);
    connect(m_suiteButton, &QPushButton::clicked, this, [this] {
        if (m_job->isRunning())
            m_job->stop(); // only the suite build leaves the button enabled while it runs
        else
            buildSuite();
    });
    connect(m_job, &session::BackgroundJob::finished, this, [this] {
        m_suiteButton->setText(tr("Build offline suite…"));
        m_suiteButton->setEnabled(true);
        m_busy->hide();
    });
    connect(m_list, &QListWidget::currentTextChanged, this,
            [this](const QString& path) { showDataset(path); });
}

void DatasetsPage::setDatasets(const QStringList& paths)
{
    m_list->setPaths(paths);
}

QStringList DatasetsPage::datasets() const
{
    return m_list->paths();
}

int DatasetsPage::thumbnailCount() const
{
    int n = 0;
    for (int r = 0; r < m_classes->rowCount(); ++r)
        for (int c = 2; c < m_classes->columnCount(); ++c)
            n += m_classes->item(r, c) != nullptr;
    return n;
}

bool DatasetsPage::busy() const
{
    return m_job->isRunning();
}

bool DatasetsPage::runJob(
    std::function<void(RunControl&, const std::function<void(std::function<void()>)>&)> work)
{
    if (!m_job->start(std::move(work))) return false;
    m_suiteButton->setEnabled(false);
    m_busy->show();
    return true;
}

void DatasetsPage::showDataset(const QString& path)
{
    if (path.isEmpty() || busy()) return;
    m_header->setText(tr("Loading %1…").arg(path));
    m_classes->setRowCount(0);
    m_fingerprint.clear();
    runJob([this, path](RunControl&, const auto& post) {
        auto loaded = std::make_shared<Loaded>();
        try {
            const auto ds = data::loadDataset(path.toStdString());
            const auto counts = ds.classCounts();
            loaded->fingerprint = QString::fromStdString(ds.fingerprint);
            loaded->header =
                QObject::tr("<b>%1</b> &middot; %2 &middot; %3 images &middot; "
                            "%4 classes &middot; %5×%6×%7<br>fingerprint %8 (of the images "
                            "at this size: a run at another --image-size records another)")
                    .arg(path.toHtmlEscaped(), QString::fromStdString(data::formatName(ds.format)))
                    .arg(ds.count())
                    .arg(ds.classNames.size())
                    .arg(ds.channels)
                    .arg(ds.height)
                    .arg(ds.width)
                    .arg(loaded->fingerprint);
            for (std::size_t c = 0; c < ds.classNames.size(); ++c)
                loaded->classes.emplace_back(QString::fromStdString(ds.classNames[c]), counts[c]);
            loaded->thumbs.resize(ds.classNames.size());
            for (std::size_t i = 0; i < ds.count(); ++i) {
                auto& row = loaded->thumbs[std::size_t(ds.labels[i])];
                if (int(row.size()) < kThumbsPerClass) row.push_back(toImage(ds, i));
            }
            for (const auto& w : ds.warnings)
                loaded->header +=
                    QStringLiteral("<br>") + QString::fromStdString(w).toHtmlEscaped();
        } catch (const std::exception& e) {
            loaded->error = QString::fromUtf8(e.what());
        }
        post([this, loaded] {
            if (!loaded->error.isEmpty()) {
                m_header->setText(QStringLiteral("<font color='#b00'>%1</font>")
                                      .arg(loaded->error.toHtmlEscaped()));
                return;
            }
            m_header->setText(loaded->header);
            m_fingerprint = loaded->fingerprint;
            auto* table = m_classes;
            table->setRowCount(int(loaded->classes.size()));
            for (std::size_t r = 0; r < loaded->classes.size(); ++r) {
                const int row = int(r);
                table->setItem(row, 0, new QTableWidgetItem(loaded->classes[r].first));
                table->setItem(row, 1,
                               new QTableWidgetItem(QString::number(loaded->classes[r].second)));
                for (std::size_t k = 0; k < loaded->thumbs[r].size(); ++k) {
                    auto* cell = new QTableWidgetItem;
                    cell->setData(Qt::DecorationRole, QPixmap::fromImage(loaded->thumbs[r][k]));
                    table->setItem(row, 2 + int(k), cell);
                }
            }
            table->resizeColumnToContents(0);
            table->resizeColumnToContents(1);
        });
    });
}

bool DatasetsPage::waitUntilIdle(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (busy() && !deadline.hasExpired())
        QApplication::processEvents(QEventLoop::AllEvents, 50);
    QApplication::processEvents();
    return !busy();
}

void DatasetsPage::buildSuite()
{
    if (busy()) return;
    const QString out = QFileDialog::getExistingDirectory(this, tr("Build the offline suite into"));
    if (out.isEmpty()) return;
    m_log->clear();
    m_log->show();
    const auto log = [this](const QString& line) { m_log->appendPlainText(line); };
    runJob([this, out, log](RunControl& control, const auto& post) {
        suite::SuiteOptions options;
        options.outDir = out.toStdString();
        options.control = &control;
        options.log = [&](const std::string& line) {
            post([log, line = QString::fromStdString(line)] { log(line); });
        };
        try {
            QStringList built;
            for (const auto& d : suite::buildSuite(options)) {
                post([log, line = QStringLiteral("%1: %2").arg(QString::fromStdString(d.id),
                                                               QString::fromStdString(d.message))] {
                    log(line);
                });
                if (d.written) built << out + QLatin1Char('/') + QString::fromStdString(d.id);
            }
            post([this, built] { setDatasets(datasets() << built); });
        } catch (const std::exception& e) {
            post([log, line = tr("suite build failed: %1").arg(QString::fromUtf8(e.what()))] {
                log(line);
            });
        }
    });
    m_suiteButton->setText(tr("Stop the suite build"));
    m_suiteButton->setEnabled(true);
}

} // namespace wb::ui
