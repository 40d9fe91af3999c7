#include "distance_page.h"

#include "background_job.h"

#include "alpha_heatmap_view.h"
#include "distance_matrix_view.h"
#include "path_list.h"
#include "wb/data/dataset.h"
#include "wb/store/run_store.h"
#include "wb/transfer/distance_matrix.h"
#include "wb/transfer/workspace_embedder.h"

#include <cmath>
#include <filesystem>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include <QApplication>
#include <QComboBox>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

namespace wb::ui {
namespace {

const auto kDatasetsKey = QStringLiteral("distances/datasets");

QString shortName(const QString& path)
{
    const QFileInfo info(QDir::cleanPath(path));
    return info.fileName().isEmpty() ? path : info.fileName();
}

std::vector<float> floats(const nlohmann::json& rows, std::size_t r0, std::size_t r1,
                          std::size_t c0, std::size_t c1)
{
    std::vector<float> out;
    for (std::size_t r = r0; r < r1; ++r)
        for (std::size_t c = c0; c < c1; ++c)
            out.push_back(rows.at(r).at(c).get<float>());
    return out;
}

QStringList labels(const nlohmann::json& names)
{
    QStringList out;
    for (const auto& n : names)
        out << QString::fromStdString(n.get<std::string>());
    return out;
}

} // namespace

DistancePage::DistancePage(QWidget* parent) : QWidget(parent)
{
    m_list = new PathList(kDatasetsKey, this);
    auto* add = new QPushButton(tr("Add…"), this);
    auto* remove = new QPushButton(tr("Remove"), this);
    // One set of defaults: the core's, which `supernet distance` uses too, so a matrix made
    // here reuses the pairs the CLI cached in the workspace and vice versa.
    m_inner = new QComboBox(this);
    m_inner->addItems({QStringLiteral("exact"), QStringLiteral("gaussian")});
    m_inner->setCurrentText(QString::fromStdString(ot::innerMethodName(m_config.inner)));
    m_maxSamples = new QSpinBox(this);
    m_maxSamples->setRange(0, 100000);
    m_maxSamples->setValue(m_config.maxSamples);
    m_maxSamples->setSpecialValueText(tr("all"));
    m_embedSize = new QSpinBox(this);
    m_embedSize->setRange(0, 512);
    m_embedSize->setValue(m_config.embedder.size);
    m_embedSize->setSpecialValueText(tr("native"));
    m_embedSize->setToolTip(tr("Datasets of different image sizes need a common size here"));
    m_job = new session::BackgroundJob(this);
    m_computeButton = new QPushButton(tr("Compute"), this);
    m_stopButton = new QPushButton(tr("Stop"), this);
    m_stopButton->setEnabled(false);
    add->setToolTip(tr("Add dataset folders to the matrix"));
    remove->setToolTip(tr("Remove the selected datasets from the matrix"));
    m_inner->setToolTip(tr("Label-to-label distance: exact (optimal transport between the "
                           "classes' samples) or gaussian (Bures distance of class means and "
                           "covariances, faster)"));
    m_maxSamples->setToolTip(tr("Images drawn per dataset for the distance (0 = all)"));
    m_computeButton->setToolTip(tr("Compute every missing pair (cached pairs in the workspace "
                                   "are reused, also those the CLI computed)"));
    m_stopButton->setToolTip(tr("Stop after the pair being computed"));
    m_bar = new QProgressBar(this);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);

    auto* listButtons = new QHBoxLayout;
    listButtons->addWidget(add);
    listButtons->addWidget(remove);
    auto* settings = new QFormLayout;
    settings->addRow(tr("Label distance"), m_inner);
    settings->addRow(tr("Samples per dataset"), m_maxSamples);
    settings->addRow(tr("Pixels resized to"), m_embedSize);
    auto* runButtons = new QHBoxLayout;
    runButtons->addWidget(m_computeButton);
    runButtons->addWidget(m_stopButton);
    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->addWidget(new QLabel(tr("<b>Datasets</b> (pixels embedder)"), left));
    leftLayout->addWidget(m_list, 1);
    leftLayout->addLayout(listButtons);
    leftLayout->addLayout(settings);
    leftLayout->addLayout(runButtons);
    leftLayout->addWidget(m_bar);
    leftLayout->addWidget(m_status);

    m_matrix = new DistanceMatrixView(this);
    m_settings = new QLabel(this);
    m_settings->setWordWrap(true);
    m_settings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_pairLabel = new QLabel(tr("Click a cell for the class-level view of that pair."), this);
    m_pairLabel->setWordWrap(true);
    m_labelDistances = new AlphaHeatmapView(this);
    m_labelDistances->setTitle(tr("label-to-label distance (target × source classes)"));
    m_coupling = new AlphaHeatmapView(this);
    m_coupling->setTitle(tr("transport mass (target × source classes)"));
    auto* pair = new QWidget(this);
    auto* pairMaps = new QHBoxLayout;
    pairMaps->addWidget(m_labelDistances);
    pairMaps->addWidget(m_coupling);
    auto* pairLayout = new QVBoxLayout(pair);
    pairLayout->setContentsMargins(0, 0, 0, 0);
    pairLayout->addWidget(m_settings);
    pairLayout->addWidget(m_pairLabel);
    pairLayout->addLayout(pairMaps, 1);
    auto* right = new QSplitter(Qt::Vertical, this);
    right->addWidget(m_matrix);
    right->addWidget(pair);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 2);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    split->setSizes({280, 900});
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(add, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Add dataset"));
        if (!dir.isEmpty()) setDatasets(datasets() << dir);
    });
    connect(remove, &QPushButton::clicked, m_list, &PathList::removeCurrent);
    connect(m_computeButton, &QPushButton::clicked, this, [this] { compute(); });
    connect(m_stopButton, &QPushButton::clicked, this, [this] { stop(); });
    connect(m_matrix, &DistanceMatrixView::cellClicked, this,
            [this](int r, int c) { showPair(r, c); });
}

void DistancePage::setWorkspace(const QString& dbPath)
{
    m_dbPath = dbPath;
}

void DistancePage::setDatasets(const QStringList& paths)
{
    m_list->setPaths(paths);
}

QStringList DistancePage::datasets() const
{
    return m_list->paths();
}

bool DistancePage::isComputing() const
{
    return m_job->isRunning();
}

bool DistancePage::compute()
{
    if (isComputing()) return false;
    const QStringList paths = datasets();
    if (paths.size() < 2) {
        m_status->setText(tr("Add at least two datasets."));
        return false;
    }
    m_names.clear();
    for (const auto& p : paths)
        m_names << shortName(p);
    const int n = int(paths.size());
    m_values.assign(std::size_t(n) * std::size_t(n), std::nan(""));
    for (int i = 0; i < n; ++i)
        m_values[std::size_t(i) * std::size_t(n) + std::size_t(i)] = 0.0;
    m_details.clear();
    m_warnings.clear();
    redraw();

    ot::DistanceConfig config;
    config.inner = ot::parseInnerMethod(m_inner->currentText().toStdString());
    config.maxSamples = m_maxSamples->value();
    config.embedder.size = m_embedSize->value();
    config.threads = int(std::max(1u, std::thread::hardware_concurrency()));
    m_config = config;
    m_settings->setText(settingsSummary());
    m_matrix->setToolTip(settingsSummary());
    std::vector<std::string> files, names;
    for (int i = 0; i < n; ++i) {
        files.push_back(paths[i].toStdString());
        names.push_back(m_names[i].toStdString());
    }
    m_bar->setRange(0, n * (n - 1) / 2);
    m_bar->setValue(0);
    m_status->setText(tr("Loading datasets…"));
    m_computeButton->setEnabled(false);
    m_stopButton->setEnabled(true);

    m_job->start([this, files, names, config, db = m_dbPath.toStdString()](RunControl& control,
                                                                           const auto& post) {
        QString error;
        try {
            std::optional<store::RunStore> store;
            if (!db.empty()) store.emplace(store::RunStore::open(db));
            std::vector<ot::DatasetRef> sets;
            QStringList warnings;
            for (std::size_t k = 0; k < files.size(); ++k) {
                auto ds = std::make_shared<const data::Dataset>(data::loadDataset(files[k]));
                for (const auto& w : ds->warnings)
                    warnings << QString::fromStdString(names[k] + ": " + w);
                sets.push_back({names[k], std::move(ds)});
            }
            if (!warnings.isEmpty()) post([this, warnings] { m_warnings = warnings; });
            // The CLI's embedding cache: in the workspace's artifacts folder, shared by both
            // front ends (and through a server workspace's database).
            const auto cache = transfer::workspaceEmbeddingCache(store ? &*store : nullptr);
            ot::OtObserver quiet;
            transfer::MatrixCallbacks callbacks;
            callbacks.finished = [&](const transfer::MatrixPair& p) {
                const auto& d = p.distance;
                const auto value = d.status == RunStatus::Done ? d.value.value : std::nan("");
                const auto details = QString::fromStdString(d.value.detailsJson);
                const auto message = QString::fromStdString(d.error);
                post([=, this, i = int(p.i), j = int(p.j)] {
                    pairDone(i, j, value, details, message);
                });
            };
            transfer::distanceMatrix(sets, config, store ? &*store : nullptr, cache.get(), control,
                                     quiet, callbacks);
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        post([this, error] { finished(error); });
    });
    return true;
}

void DistancePage::stop()
{
    m_job->stop();
}

void DistancePage::pairDone(int i, int j, double value, const QString& details,
                            const QString& error)
{
    const auto n = std::size_t(m_names.size());
    m_values[std::size_t(i) * n + std::size_t(j)] = value;
    m_values[std::size_t(j) * n + std::size_t(i)] = value;
    if (!details.isEmpty()) m_details[{i, j}] = details;
    m_bar->setValue(m_bar->value() + 1);
    m_status->setText(error.isEmpty()
                          ? tr("%1 ~ %2: %3").arg(m_names[i], m_names[j]).arg(value, 0, 'g', 5)
                          : tr("%1 ~ %2: %3").arg(m_names[i], m_names[j], error));
    redraw();
}

void DistancePage::finished(const QString& error)
{
    m_computeButton->setEnabled(true);
    m_stopButton->setEnabled(false);
    if (!error.isEmpty())
        m_status->setText(tr("<font color='#b00'>%1</font>").arg(error.toHtmlEscaped()));
    else if (m_bar->value() < m_bar->maximum())
        m_status->setText(tr("Stopped: %1 of %2 pairs.").arg(m_bar->value()).arg(m_bar->maximum()));
    else
        m_status->setText(tr("All %1 pairs done (cached in the workspace).").arg(m_bar->maximum()));
    // The loaders' warnings (skipped images and the like) stay with the result.
    for (const auto& w : m_warnings)
        m_status->setText(m_status->text() + QStringLiteral("<br>") +
                          tr("warning: %1").arg(w.toHtmlEscaped()));
}

bool DistancePage::waitUntilIdle(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (isComputing() && !deadline.hasExpired())
        QApplication::processEvents(QEventLoop::AllEvents, 50);
    return !isComputing();
}

QList<QStringList> DistancePage::matrixTable() const
{
    QList<QStringList> rows;
    rows.append(QStringList{QString()} + m_names);
    const auto n = std::size_t(m_names.size());
    for (std::size_t i = 0; i < n && m_values.size() == n * n; ++i) {
        QStringList row{m_names[qsizetype(i)]};
        for (std::size_t j = 0; j < n; ++j) {
            const double v = m_values[i * n + j];
            row << (std::isnan(v) ? QString() : QString::number(v, 'g', 8));
        }
        rows.append(row);
    }
    rows.append(QStringList{});
    rows.append(QStringList{QStringLiteral("settings"), settingsSummary()});
    return rows;
}

QString DistancePage::settingsSummary() const
{
    const auto& c = m_config;
    const auto& e = c.embedder;
    return tr("OTDD (debiased): %1 embedder, %2; %3 label distance; %4 samples per dataset "
              "(seed %5); eps %6, label eps %7; marginal tolerance %8")
        .arg(QString::fromStdString(e.name()))
        .arg(e.size > 0 ? tr("images resized to %1×%1").arg(e.size) : tr("native image size"))
        .arg(QString::fromStdString(ot::innerMethodName(c.inner)))
        .arg(c.maxSamples > 0 ? QString::number(c.maxSamples) : tr("all"))
        .arg(c.seed)
        .arg(c.entreg)
        .arg(c.innerEntreg)
        .arg(c.tolerance);
}

void DistancePage::redraw()
{
    m_matrix->setMatrix(m_names, m_values);
}

void DistancePage::showPair(int row, int column)
{
    const auto it = m_details.find({std::min(row, column), std::max(row, column)});
    if (row == column || it == m_details.end()) {
        m_pairLabel->setText(tr("No class-level view for this cell."));
        m_labelDistances->clear();
        m_coupling->clear();
        return;
    }
    try {
        const auto d = nlohmann::json::parse(it->second.toStdString());
        const auto sources = labels(d.at("source_classes"));
        const auto targets = labels(d.at("target_classes"));
        const auto ks = std::size_t(sources.size()), kt = std::size_t(targets.size());
        // The cross block of W over both label sets: target rows, source columns.
        m_labelDistances->setMatrix(int(kt), int(ks),
                                    floats(d.at("label_distances"), ks, ks + kt, 0, ks), sources,
                                    targets);
        m_coupling->setMatrix(int(kt), int(ks), floats(d.at("coupling"), 0, kt, 0, ks), sources,
                              targets);
        m_pairLabel->setText(tr("<b>%1</b> (source) → <b>%2</b> (target): OTDD %3")
                                 .arg(QString::fromStdString(d.at("source").get<std::string>()),
                                      QString::fromStdString(d.at("target").get<std::string>()))
                                 .arg(m_matrix->value(row, column), 0, 'g', 5));
    } catch (const std::exception& e) {
        m_pairLabel->setText(tr("Unreadable pair details: %1").arg(e.what()));
    }
}

} // namespace wb::ui
