#include "compare_page.h"

#include "accuracy_text.h"
#include "cell_graph_view.h"
#include "plot_legend.h"
#include "plot_palette.h"
#include "qcustomplot_include.h"
#include "wb/common/error.h"
#include "wb/darts/genotype_diff.h"
#include "wb/darts/search_config.h"
#include "wb/jobs/experiment.h"
#include "wb/transfer/experiment_report.h"
#include "wb/transfer/speedup.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QSplitter>
#include <QVBoxLayout>

namespace wb::ui {
namespace {

const QList<QColor> kPalette = {QColor(31, 119, 180),  QColor(214, 39, 40),  QColor(44, 160, 44),
                                QColor(148, 103, 189), QColor(255, 127, 14), QColor(23, 190, 207),
                                QColor(140, 86, 75),   QColor(127, 127, 127)};

QString shortPath(const std::string& path)
{
    const QFileInfo info(QString::fromStdString(path));
    return info.fileName().isEmpty() ? QString::fromStdString(path) : info.fileName();
}

bool isAccuracy(session::EpochSeries m)
{
    return m == session::EpochSeries::ValAcc || m == session::EpochSeries::TrainAcc;
}

// Epochs 1..n, unless `x` gives the abscissae.
QCPGraph* addCurve(QCustomPlot* plot, const std::vector<double>& y, const QColor& color,
                   const QString& name, const std::vector<double>& x = {})
{
    auto* g = plot->addGraph();
    for (std::size_t i = 0; i < y.size(); ++i)
        g->addData(i < x.size() ? x[i] : double(i + 1), y[i]);
    g->setPen(QPen(color, 2));
    g->setName(name);
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
    return g;
}

} // namespace

ComparePage::ComparePage(QWidget* parent) : QWidget(parent)
{
    m_runs = new QListWidget(this);
    m_experiment = new QComboBox(this);
    m_target = new QComboBox(this);
    m_metric = new QComboBox(this);
    m_metric->addItem(tr("val accuracy"), int(session::EpochSeries::ValAcc));
    m_metric->addItem(tr("val loss"), int(session::EpochSeries::ValLoss));
    m_metric->addItem(tr("train accuracy"), int(session::EpochSeries::TrainAcc));
    m_metric->addItem(tr("train loss"), int(session::EpochSeries::TrainLoss));
    m_metric->setToolTip(tr("The per-epoch metric to overlay (accuracies in percent)"));
    m_gain = new QComboBox(this);
    for (const auto g : transfer::allGains())
        m_gain->addItem(tr(transfer::gainName(g)), int(g));
    m_gain->setToolTip(tr("The gain over scratch (same target and seed) plotted against the "
                          "distance: the speed-up to scratch's best within one standard error "
                          "(0 = not reached), the mean val accuracy gain over the budget, the best "
                          "val accuracy, or the retrained test accuracy gain"));
    m_gain->setVisible(false);
    m_xAxis = new QComboBox(this);
    m_xAxis->addItem(tr("epoch"));
    m_xAxis->addItem(tr("wall-clock (s)"));
    m_xAxis->setToolTip(tr("Plot against epochs, or against the seconds each run had spent at "
                           "the end of each epoch (runs on different machines or settings)"));
    m_smoothing = new QDoubleSpinBox(this);
    m_smoothing->setRange(0, 0.95);
    m_smoothing->setSingleStep(0.05);
    m_smoothing->setToolTip(tr("Exponential moving average of the curves: 0 = raw, 0.9 = heavy "
                               "(as TensorBoard's smoothing; the speed-up texts use raw values)"));
    m_plot = new QCustomPlot(this);
    followPalette(m_plot);
    m_plot->setMinimumSize(360, 260);
    m_plot->xAxis->setLabel(tr("epoch"));
    m_plot->yAxis->setLabel(tr("val accuracy (%)"));
    placeLegendAbove(m_plot, 3);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_scratchCell = new CellGraphView(this);
    m_warmCell = new CellGraphView(this);

    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    auto* metricRow = new QHBoxLayout;
    metricRow->addWidget(new QLabel(tr("Plot"), left));
    metricRow->addWidget(m_metric, 1);
    leftLayout->addLayout(metricRow);
    auto* axisRow = new QHBoxLayout;
    axisRow->addWidget(new QLabel(tr("Against"), left));
    axisRow->addWidget(m_xAxis, 1);
    axisRow->addWidget(new QLabel(tr("Smoothing"), left));
    axisRow->addWidget(m_smoothing);
    leftLayout->addLayout(axisRow);
    leftLayout->addWidget(new QLabel(tr("<b>Runs</b> (check to overlay)"), left));
    leftLayout->addWidget(m_runs, 1);
    leftLayout->addWidget(new QLabel(tr("<b>Experiment</b> (arm means ± std over seeds)"), left));
    leftLayout->addWidget(m_experiment);
    leftLayout->addWidget(m_target);
    leftLayout->addWidget(m_gain);
    auto* cells = m_cells = new QWidget(this);
    auto* cellLayout = new QHBoxLayout(cells);
    cellLayout->setContentsMargins(0, 0, 0, 0);
    cellLayout->addWidget(m_scratchCell);
    cellLayout->addWidget(m_warmCell);
    auto* right = new QSplitter(Qt::Vertical, this);
    right->addWidget(m_plot);
    right->addWidget(m_summary);
    right->addWidget(cells);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(2, 2);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    split->setSizes({300, 900});
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(m_runs, &QListWidget::itemChanged, this, [this] {
        const QSignalBlocker block(m_experiment);
        m_experiment->setCurrentIndex(0);
        redrawRuns();
    });
    connect(m_experiment, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_target->clear();
        if (index <= 0) return redrawRuns();
        const auto& e = m_experiments[std::size_t(index - 1)];
        std::vector<std::string> targets;
        for (const auto& c : e.cells)
            if (std::find(targets.begin(), targets.end(), c.target) == targets.end())
                targets.push_back(c.target);
        const QSignalBlocker block(m_target);
        for (const auto& t : targets)
            m_target->addItem(shortPath(t), QString::fromStdString(t));
        if (std::any_of(e.cells.begin(), e.cells.end(), [](const auto& c) { return c.distance; }))
            m_target->addItem(tr("all targets: distance vs gain"), QString());
        redrawExperiment();
    });
    connect(m_target, &QComboBox::currentIndexChanged, this, [this] { redrawExperiment(); });
    connect(m_gain, &QComboBox::currentIndexChanged, this, [this] { redrawExperiment(); });
    const auto redraw = [this] {
        if (m_experiment->currentIndex() > 0)
            redrawExperiment();
        else
            redrawRuns();
    };
    connect(m_metric, &QComboBox::currentIndexChanged, this, redraw);
    connect(m_xAxis, &QComboBox::currentIndexChanged, this, redraw);
    connect(m_smoothing, &QDoubleSpinBox::valueChanged, this, redraw);
    m_runs->setToolTip(tr("Searches and trainings with at least one epoch; a scratch search and "
                          "warm-started searches of the same dataset and seed get speed-ups"));
    m_experiment->setToolTip(tr("Show an experiment's arms (mean ± std over seeds) instead of "
                                "the checked runs"));
    m_target->setToolTip(tr("The experiment's target dataset to show, or the gain of every warm "
                            "start against its distance over all targets (`supernet experiment "
                            "study` compares embedders on the same data)"));
}

void ComparePage::setSnapshot(const session::WorkspaceSnapshot& snapshot)
{
    // A re-listing keeps what the user checked and the experiment and target on show.
    const std::vector<std::int64_t> checked = checkedRuns();
    const int experimentIndex = m_experiment->currentIndex();
    const std::int64_t experiment =
        experimentIndex > 0 ? m_experiments[std::size_t(experimentIndex - 1)].id : 0;
    const QString target = m_target->currentText();
    m_curves = snapshot.searches;
    m_experiments = snapshot.experiments;
    {
        const QSignalBlocker block(m_runs);
        m_runs->clear();
        for (auto it = m_curves.rbegin(); it != m_curves.rend(); ++it) {
            const auto& c = it->second;
            QString text = tr("#%1 %2 %3 seed %4")
                               .arg(it->first)
                               .arg(QString::fromStdString(c.summary.role))
                               .arg(shortPath(c.summary.datasetPath))
                               .arg(c.seed);
            if (c.summary.testAcc)
                text += tr(" · test %1").arg(session::percent(*c.summary.testAcc));
            if (c.transfer) text += tr(" ← %1").arg(QString::fromStdString(c.transfer->zooName));
            auto* item = new QListWidgetItem(text, m_runs);
            item->setData(Qt::UserRole, qint64(it->first));
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(std::count(checked.begin(), checked.end(), it->first)
                                    ? Qt::Checked
                                    : Qt::Unchecked);
        }
    }
    {
        const QSignalBlocker block(m_experiment);
        m_experiment->clear();
        m_experiment->addItem(tr("(checked runs)"));
        for (const auto& e : m_experiments)
            m_experiment->addItem(tr("Experiment %1 (%2, %3 cells)")
                                      .arg(e.id)
                                      .arg(QString::fromStdString(e.status))
                                      .arg(e.cells.size()));
    }
    if (experiment > 0) {
        showExperiment(experiment, target);
        if (m_experiment->currentIndex() > 0) return;
    }
    redrawRuns();
}

std::vector<std::int64_t> ComparePage::checkedRuns() const
{
    std::vector<std::int64_t> out;
    for (int i = 0; i < m_runs->count(); ++i)
        if (m_runs->item(i)->checkState() == Qt::Checked)
            out.push_back(m_runs->item(i)->data(Qt::UserRole).toLongLong());
    return out;
}

void ComparePage::setChecked(const std::vector<std::int64_t>& runIds)
{
    const QSignalBlocker block(m_runs);
    for (int i = 0; i < m_runs->count(); ++i) {
        auto* item = m_runs->item(i);
        const auto id = item->data(Qt::UserRole).toLongLong();
        item->setCheckState(std::count(runIds.begin(), runIds.end(), id) ? Qt::Checked
                                                                         : Qt::Unchecked);
    }
    redrawRuns();
}

void ComparePage::showExperiment(std::int64_t id, const QString& target)
{
    for (std::size_t i = 0; i < m_experiments.size(); ++i)
        if (m_experiments[i].id == id) m_experiment->setCurrentIndex(int(i) + 1);
    const int t = m_target->findText(target);
    if (t >= 0) m_target->setCurrentIndex(t);
}

bool ComparePage::showDistanceGain(std::int64_t id)
{
    for (std::size_t i = 0; i < m_experiments.size(); ++i)
        if (m_experiments[i].id == id) m_experiment->setCurrentIndex(int(i) + 1);
    const int last = m_target->count() - 1;
    if (m_experiment->currentIndex() <= 0 || last < 0 ||
        !m_target->itemData(last).toString().isEmpty())
        return false;
    m_target->setCurrentIndex(last);
    return true;
}

void ComparePage::setGain(transfer::Gain gain)
{
    m_gain->setCurrentIndex(m_gain->findData(int(gain)));
}

void ComparePage::setMetric(session::EpochSeries metric)
{
    m_metric->setCurrentIndex(m_metric->findData(int(metric)));
}

session::EpochSeries ComparePage::metric() const
{
    return session::EpochSeries(m_metric->currentData().toInt());
}

std::vector<double> ComparePage::shown(std::vector<double> y) const
{
    const double scale = isAccuracy(metric()) ? 100.0 : 1.0;
    const double keep = m_smoothing->value();
    double average = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        average = i == 0 ? scale * y[i] : keep * average + (1 - keep) * scale * y[i];
        y[i] = average;
    }
    return y;
}

bool ComparePage::wallClock() const
{
    return m_xAxis->currentIndex() == 1 && m_experiment->currentIndex() <= 0;
}

std::vector<double> ComparePage::abscissae(const RunCurve& c) const
{
    std::vector<double> x;
    double seconds = 0;
    for (const auto& e : c.epochs) {
        seconds += e.seconds;
        x.push_back(wallClock() ? seconds : double(e.epoch));
    }
    return x;
}

void ComparePage::markScratchBest(double value)
{
    value *= 100.0; // drawn on the accuracy plot, in percent
    auto* line = new QCPItemStraightLine(m_plot);
    line->point1->setCoords(0, value);
    line->point2->setCoords(1, value);
    line->setPen(QPen(Qt::gray, 1, Qt::DashLine));
}

void ComparePage::finishPlot()
{
    const auto m = metric();
    m_plot->yAxis->setLabel(m_metric->currentText() + (isAccuracy(m) ? tr(" (%)") : QString()));
    m_plot->xAxis->setLabel(wallClock() ? tr("wall-clock (s)") : tr("epoch"));
    m_plot->rescaleAxes();
    if (isAccuracy(m))
        m_plot->yAxis->setRange(0, 100);
    else
        m_plot->yAxis->setRange(0, m_plot->yAxis->range().upper * 1.05 + 1e-9);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

bool ComparePage::showCellPair(const RunCurve* scratch, const RunCurve* warm, QStringList& lines)
{
    if (!scratch || !warm || !scratch->genotype || !warm->genotype) return false;
    // Compared as graphs: input order and node numbering do not make cells differ.
    const auto d = darts::diffGenotypes(*scratch->genotype, *warm->genotype).normal;
    m_scratchCell->setGenotype(*scratch->genotype, render::CellType::Normal, {{}, d.changedA});
    m_warmCell->setGenotype(*warm->genotype, render::CellType::Normal, {{}, d.changedB});
    m_scratchCell->setTitle(tr("normal cell, scratch #%1").arg(scratch->summary.id));
    m_warmCell->setTitle(
        tr("normal cell, warm #%1 (differing edges in red)").arg(warm->summary.id));
    lines << tr("Normal cells, scratch #%1 (left) vs warm #%2 (right): %3")
                 .arg(scratch->summary.id)
                 .arg(warm->summary.id)
                 .arg(d.equal ? tr("the same cell")
                              : tr("%n difference(s)", nullptr, int(d.differences.size())));
    for (const auto& line : d.differences)
        lines << QString::fromStdString(line);
    return true;
}

void ComparePage::redrawRuns()
{
    m_gain->setVisible(false);
    m_metric->setEnabled(true);
    m_cells->setVisible(true);
    m_plot->clearGraphs();
    m_plot->clearItems();
    m_annotations.clear();
    std::vector<const RunCurve*> checked;
    for (int i = 0; i < m_runs->count(); ++i)
        if (m_runs->item(i)->checkState() == Qt::Checked)
            checked.push_back(&m_curves[m_runs->item(i)->data(Qt::UserRole).toLongLong()]);
    for (std::size_t k = 0; k < checked.size(); ++k) {
        const auto* c = checked[k];
        QString name = tr("#%1 %2").arg(c->summary.id).arg(shortPath(c->summary.datasetPath));
        if (c->summary.kind == "train") name += tr(" (train)");
        if (c->transfer) name += tr(" ← %1").arg(QString::fromStdString(c->transfer->zooName));
        addCurve(m_plot, shown(c->series(metric())), kPalette[int(k) % kPalette.size()], name,
                 abscissae(*c));
    }
    // Scratch vs warm pairs: searches of the same dataset and seed, the scratch one without a
    // transfer link.
    std::erase_if(checked, [](const RunCurve* c) { return c->summary.kind != "search"; });
    const RunCurve* scratch = nullptr;
    for (const auto* c : checked)
        if (!c->transfer) scratch = c;
    QStringList lines;
    const RunCurve* firstWarm = nullptr;
    if (scratch) {
        for (const auto* c : checked) {
            if (!c->transfer || c->summary.datasetPath != scratch->summary.datasetPath ||
                c->seed != scratch->seed)
                continue;
            const auto s = transfer::speedUp(scratch->series(session::EpochSeries::ValAcc),
                                             c->series(session::EpochSeries::ValAcc));
            // Speed-ups are measured on val accuracy in epochs: drawn only on that plot.
            const bool drawn = metric() == session::EpochSeries::ValAcc && !wallClock();
            if (!firstWarm) {
                firstWarm = c;
                if (drawn) markScratchBest(s.scratchBest);
            }
            QString text = s.factor ? tr("run %1 reaches scratch's best %2 at epoch %3 vs %4: ×%5")
                                          .arg(c->summary.id)
                                          .arg(session::percent(s.scratchBest))
                                          .arg(*s.warmEpochs)
                                          .arg(s.scratchEpochs)
                                          .arg(*s.factor, 0, 'f', 2)
                                    : tr("run %1 does not reach scratch's best %2 (not reached)")
                                          .arg(c->summary.id)
                                          .arg(session::percent(s.scratchBest));
            m_annotations << text;
            if (s.warmEpochs && drawn) {
                auto* label = new QCPItemText(m_plot);
                label->position->setCoords(*s.warmEpochs, 100.0 * s.scratchBest);
                label->setPositionAlignment(Qt::AlignBottom | Qt::AlignHCenter);
                label->setText(tr("×%1").arg(*s.factor, 0, 'f', 2));
            }
        }
    }
    lines = m_annotations;
    if (!showCellPair(scratch, firstWarm, lines)) {
        m_scratchCell->clear(tr("check a scratch run and a warm run of the same dataset and seed"));
        m_warmCell->clear();
    }
    m_summary->setText(lines.join(QStringLiteral("\n")));
    finishPlot();
}

void ComparePage::redrawExperiment()
{
    const int index = m_experiment->currentIndex();
    if (index <= 0) return;
    const auto& e = m_experiments[std::size_t(index - 1)];
    const auto target = m_target->currentData().toString().toStdString();
    const bool scatter = m_target->count() > 0 && target.empty();
    m_gain->setVisible(scatter);
    m_metric->setEnabled(!scatter);
    m_cells->setVisible(!scatter);
    m_plot->clearGraphs();
    m_plot->clearItems();
    m_annotations.clear();
    if (scatter) return redrawDistanceGain(e);
    std::vector<std::string> arms;
    std::vector<std::vector<double>> plotted; // the metric, one curve per outcome
    for (const auto& c : e.cells) {
        if (c.target != target) continue;
        if (std::find(arms.begin(), arms.end(), c.arm) == arms.end()) arms.push_back(c.arm);
        const auto run = c.searchRunId ? m_curves.find(*c.searchRunId) : m_curves.end();
        plotted.push_back(run != m_curves.end() ? run->second.series(metric())
                                                : std::vector<double>{});
    }
    const auto outcomes = this->outcomes(e, target);
    const auto summary = transfer::summarise(outcomes);
    const auto summaryOf = [&](const std::string& arm) {
        return std::find_if(summary.begin(), summary.end(),
                            [&](const auto& row) { return row.arm == arm; });
    };
    // On the val-accuracy plot: scratch's best (mean over seeds) dashed, and a diamond where
    // each warm arm reaches it on average.
    const bool onValAcc = metric() == session::EpochSeries::ValAcc;
    const auto scratchRow = summaryOf("scratch");
    if (onValAcc && scratchRow != summary.end()) markScratchBest(scratchRow->bestVal.mean);
    for (std::size_t k = 0; k < arms.size(); ++k) {
        std::vector<std::vector<double>> perEpoch;
        for (std::size_t i = 0; i < outcomes.size(); ++i) {
            if (outcomes[i].arm != arms[k]) continue;
            if (perEpoch.size() < plotted[i].size()) perEpoch.resize(plotted[i].size());
            for (std::size_t epoch = 0; epoch < plotted[i].size(); ++epoch)
                perEpoch[epoch].push_back(plotted[i][epoch]);
        }
        std::vector<double> mean, lo, hi;
        for (const auto& v : perEpoch) {
            const auto st = transfer::stat(v);
            mean.push_back(st.mean);
            lo.push_back(st.mean - st.std);
            hi.push_back(st.mean + st.std);
        }
        for (auto* series : {&mean, &lo, &hi})
            *series = shown(*series);
        const QColor color = kPalette[int(k) % kPalette.size()];
        QColor band = color;
        band.setAlpha(50);
        auto* low = addCurve(m_plot, lo, band, {});
        auto* high = addCurve(m_plot, hi, band, {});
        for (auto* g : {low, high}) {
            g->setScatterStyle(QCPScatterStyle());
            m_plot->legend->removeItem(m_plot->legend->itemCount() - 1);
        }
        high->setBrush(band);
        high->setChannelFillGraph(low);
        QString name = QString::fromStdString(arms[k]);
        const auto row = summaryOf(arms[k]);
        if (row != summary.end() && row->arm != "scratch" && row->speedUp.n) {
            name += tr("  ×%1 (%2/%3)")
                        .arg(row->speedUp.mean, 0, 'f', 2)
                        .arg(row->reached)
                        .arg(row->seeds - row->failed);
            if (onValAcc && scratchRow != summary.end()) {
                auto* reach = m_plot->addGraph();
                reach->addData(row->epochsToScratchBest.mean, 100.0 * scratchRow->bestVal.mean);
                reach->setLineStyle(QCPGraph::lsNone);
                reach->setScatterStyle(
                    QCPScatterStyle(QCPScatterStyle::ssDiamond, color, color, 11));
                m_plot->legend->removeItem(m_plot->legend->itemCount() - 1);
            }
        }
        addCurve(m_plot, mean, color, name);
    }
    QStringList lines;
    for (const auto& row : summary) {
        QString line =
            tr("%1: best val %2, test %3")
                .arg(QString::fromStdString(row.arm))
                .arg(session::percent(row.bestVal.mean))
                .arg(row.testAcc.n ? session::percent(row.testAcc.mean) : QStringLiteral("-"));
        if (row.arm != "scratch") {
            line += row.speedUp.n ? tr(", speed-up ×%1 (%2/%3 seeds reached)")
                                        .arg(row.speedUp.mean, 0, 'f', 2)
                                        .arg(row.reached)
                                        .arg(row.seeds - row.failed)
                                  : tr(", scratch's best not reached");
            // The tables' leading measure: robust to a validation split's resolution.
            if (row.speedUpWithin.n)
                line += tr(", within 1 SE ×%1 (%2/%3)")
                            .arg(row.speedUpWithin.mean, 0, 'f', 2)
                            .arg(row.reachedWithin)
                            .arg(row.seeds - row.failed);
            if (row.aucGain.n) line += tr(", AUC gain %1 pts").arg(100 * row.aucGain.mean, 0, 'f', 1);
        }
        lines << line;
        m_annotations << line;
    }
    // The cells of the first seed's scratch arm and its OT arm (else the first other arm).
    const RunCurve* scratch = nullptr;
    const RunCurve* warm = nullptr;
    const auto curveOf = [&](const store::ExperimentCell& c) -> const RunCurve* {
        const auto it = c.searchRunId ? m_curves.find(*c.searchRunId) : m_curves.end();
        return it == m_curves.end() ? nullptr : &it->second;
    };
    const store::ExperimentCell* first = nullptr;
    for (const auto& c : e.cells)
        if (c.target == target && c.arm == "scratch" && (!first || c.seed < first->seed))
            first = &c;
    if (first) {
        scratch = curveOf(*first);
        for (const char* arm : {"ot", "multi", "random"})
            for (const auto& c : e.cells)
                if (!warm && c.target == target && c.seed == first->seed && c.arm == arm)
                    warm = curveOf(c);
    }
    if (!showCellPair(scratch, warm, lines)) {
        m_scratchCell->clear();
        m_warmCell->clear();
    }
    m_summary->setText(lines.join(QStringLiteral("\n")));
    finishPlot();
}

std::vector<transfer::ArmOutcome> ComparePage::outcomes(const store::ExperimentRecord& e,
                                                        const std::string& target) const
{
    std::vector<transfer::ArmOutcome> out;
    for (const auto& c : e.cells) {
        if (!target.empty() && c.target != target) continue;
        const auto run = c.searchRunId ? m_curves.find(*c.searchRunId) : m_curves.end();
        const bool found = run != m_curves.end();
        auto o = jobs::cellOutcome(c, found ? run->second.series(session::EpochSeries::ValAcc)
                                            : std::vector<double>{});
        if (found) o.valImages = run->second.valImages;
        out.push_back(std::move(o));
    }
    return out;
}

void ComparePage::redrawDistanceGain(const store::ExperimentRecord& e)
{
    const auto gain = transfer::Gain(m_gain->currentData().toInt());
    // Speed-ups are factors; the accuracy measures are shown in percent (points).
    const double scale = gain == transfer::Gain::SpeedUpWithinSe ? 1.0 : 100.0;
    const auto points = transfer::gainPoints(outcomes(e));
    std::vector<std::string> targets;
    std::vector<double> xs, ys;
    for (const auto& p : points)
        if (p.value(gain)) {
            if (std::find(targets.begin(), targets.end(), p.target) == targets.end())
                targets.push_back(p.target);
            xs.push_back(p.distance);
            ys.push_back(scale * *p.value(gain));
        }
    for (std::size_t k = 0; k < targets.size(); ++k) {
        auto* g = m_plot->addGraph();
        g->setLineStyle(QCPGraph::lsNone);
        const QColor color = kPalette[int(k) % kPalette.size()];
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, color, 8));
        g->setName(QString::fromStdString(targets[k]));
        for (const auto& p : points)
            if (p.target == targets[k] && p.value(gain))
                g->addData(p.distance, scale * *p.value(gain));
    }
    QStringList lines;
    std::string embed;
    try {
        embed = jobs::ExperimentSpec::fromJson(e.specJson).distance.embed;
    } catch (const Error&) { // an experiment recorded without its spec: no embedder to name
    }
    const QString unit = scale == 1.0 ? QString() : tr(" (points)");
    if (const auto fit = transfer::fitLine(xs, ys)) {
        const auto [lo, hi] = std::minmax_element(xs.begin(), xs.end());
        auto* trend = m_plot->addGraph();
        trend->addData(*lo, fit->intercept + fit->slope * *lo);
        trend->addData(*hi, fit->intercept + fit->slope * *hi);
        trend->setPen(QPen(m_plot->xAxis->basePen().color(), 1.5, Qt::DashLine));
        trend->setName(tr("least-squares trend"));
        lines << tr("Trend (least squares): %1 = %2 %3 %4 × distance%5")
                     .arg(tr(transfer::gainName(gain)))
                     .arg(fit->intercept, 0, 'g', 3)
                     .arg(fit->slope < 0 ? QStringLiteral("−") : QStringLiteral("+"))
                     .arg(std::abs(fit->slope), 0, 'g', 3)
                     .arg(unit);
    }
    const auto perTarget = transfer::targetCorrelations(points, gain);
    for (const auto& t : perTarget)
        lines << (t.rho ? tr("%1: Spearman ρ = %2 over %3 sources%4")
                              .arg(QString::fromStdString(t.target))
                              .arg(*t.rho, 0, 'f', 2)
                              .arg(t.sources)
                              .arg(t.nearestIsBest ? tr(", the nearest gained most")
                                                   : QString())
                        : tr("%1: no rank correlation (%2 sources, or a constant side)")
                              .arg(QString::fromStdString(t.target))
                              .arg(t.sources));
    if (const auto s = transfer::studyStatistic(perTarget, 2000, 0))
        lines << tr("Mean ρ over %1 targets: %2, 95% bootstrap interval [%3, %4] (negative: "
                    "nearer sources gained more)")
                     .arg(s->targets)
                     .arg(s->meanRho, 0, 'f', 2)
                     .arg(s->lo, 0, 'f', 2)
                     .arg(s->hi, 0, 'f', 2);
    if (points.empty())
        lines << tr("No warm start with a distance and a finished scratch arm of the same target "
                    "and seed (run the experiment with --arms scratch,each-source)");
    m_annotations = lines;
    m_summary->setText(lines.join(QStringLiteral("\n")));
    m_plot->xAxis->setLabel(embed.empty() ? tr("dataset distance (OTDD)")
                                          : tr("dataset distance (OTDD, %1 embedding)")
                                                .arg(QString::fromStdString(embed)));
    m_plot->yAxis->setLabel(tr(transfer::gainName(gain)) +
                            (scale == 1.0 ? QString() : tr(" (points)")));
    m_plot->rescaleAxes();
    for (auto* axis : {m_plot->xAxis, m_plot->yAxis}) {
        const auto r = axis->range();
        const double pad = std::max(0.08 * r.size(), 1e-3 * std::max(1.0, std::abs(r.center())));
        axis->setRange(r.lower - pad, r.upper + pad);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace wb::ui
