#include "run_view.h"

#include "accuracy_text.h"
#include "alpha_heatmap_view.h"
#include "cell_graph_view.h"
#include "curves_view.h"
#include "plot_palette.h"
#include "qcustomplot_include.h"
#include "timeline_slider.h"
#include "wb/darts/collapse.h"

#include <cmath>
#include <limits>

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QToolTip>
#include <QVBoxLayout>

namespace wb::ui {
using session::percent;
namespace {

// The softmax weight of each chosen op of `edges` in an edges x ops alpha matrix. Edges into
// node i start at row i * (i + 3) / 2 (node m has m + 2 inputs).
std::vector<float> chosenWeights(const std::vector<darts::GenotypeEdge>& edges,
                                 const std::vector<float>& matrix,
                                 const std::vector<std::string>& ops)
{
    std::vector<float> out;
    for (std::size_t k = 0; k < edges.size(); ++k) {
        const auto node = k / 2;
        const auto row = node * (node + 3) / 2 + std::size_t(edges[k].input);
        const auto op = std::find(ops.begin(), ops.end(), edges[k].op);
        const auto at = row * ops.size() + std::size_t(op - ops.begin());
        if (op == ops.end() || at >= matrix.size()) return {};
        out.push_back(matrix[at]);
    }
    return out;
}

} // namespace

RunView::RunView(QWidget* parent) : QWidget(parent)
{
    m_header = new QLabel(this);
    m_header->setTextFormat(Qt::RichText);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_annotations = new QWidget(this);
    m_tags = new QLineEdit(m_annotations);
    m_tags->setPlaceholderText(tr("tags, e.g. paper baseline"));
    m_tags->setToolTip(tr("The run's tags, separated by commas or spaces (filter the runs table "
                          "or `supernet runs list --tag` by them)"));
    m_note = new QLineEdit(m_annotations);
    m_note->setPlaceholderText(tr("note"));
    m_note->setToolTip(tr("A free-text note on the run (`supernet runs note`)"));
    m_saveNotes = new QPushButton(tr("Save"), m_annotations);
    m_saveNotes->setToolTip(tr("Write the tags and the note to the workspace"));
    auto* annotations = new QHBoxLayout(m_annotations);
    annotations->setContentsMargins(0, 0, 0, 0);
    annotations->addWidget(new QLabel(tr("Tags"), m_annotations));
    annotations->addWidget(m_tags, 1);
    annotations->addWidget(new QLabel(tr("Note"), m_annotations));
    annotations->addWidget(m_note, 3);
    annotations->addWidget(m_saveNotes);
    connect(m_saveNotes, &QPushButton::clicked, this, [this] {
        const auto tags =
            m_tags->text().split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
        Q_EMIT annotationsEdited(m_runId, tags, m_note->text());
    });

    m_curves = new CurvesView(this);

    auto* alphaBox = new QWidget(this);
    m_alphaBox = alphaBox;
    m_normalMap = new AlphaHeatmapView(alphaBox);
    m_reduceMap = new AlphaHeatmapView(alphaBox);
    m_normalMap->setTitle(tr("normal cell alphas"));
    m_reduceMap->setTitle(tr("reduce cell alphas"));
    m_slider = new TimelineSlider(alphaBox);
    m_slider->setDescription(tr("The epoch whose alphas, cells and signals are shown; ▲ marks "
                                "where the derived cell changed"));
    m_epochLabel = new QLabel(alphaBox);
    m_changes = new QLabel(alphaBox);
    m_signals = new QLabel(alphaBox);
    m_signals->setTextFormat(Qt::RichText);
    auto* maps = new QHBoxLayout;
    maps->addWidget(m_normalMap);
    maps->addWidget(m_reduceMap);
    auto* sliderRow = new QHBoxLayout;
    sliderRow->addWidget(new QLabel(tr("Epoch"), alphaBox));
    sliderRow->addWidget(m_slider, 1);
    sliderRow->addWidget(m_epochLabel);
    auto* alphaLayout = new QVBoxLayout(alphaBox);
    alphaLayout->setContentsMargins(0, 0, 0, 0);
    alphaLayout->addLayout(maps, 1);
    alphaLayout->addLayout(sliderRow);
    alphaLayout->addWidget(m_changes);
    m_stop = new QPushButton(tr("Stop search"), alphaBox);
    m_stop->setToolTip(tr("Stop the live search now (cancelled, resumable); `--stop-on "
                          "collapse` stops on these signals by itself"));
    connect(m_stop, &QPushButton::clicked, this, &RunView::stopRequested);
    auto* signalRow = new QHBoxLayout;
    signalRow->addWidget(m_signals, 1);
    signalRow->addWidget(m_stop);
    alphaLayout->addLayout(signalRow);

    auto* cells = new QWidget(this);
    m_normalCell = new CellGraphView(cells);
    m_reduceCell = new CellGraphView(cells);
    m_trajectories = new QCustomPlot(cells);
    followPalette(m_trajectories);
    m_trajectories->setMinimumWidth(220);
    m_trajectories->xAxis->setLabel(tr("epoch"));
    m_trajectories->yAxis->setLabel(tr("final-op weight"));
    auto epochs = QSharedPointer<QCPAxisTickerFixed>::create();
    epochs->setTickStep(1.0); // whole epochs
    epochs->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    m_trajectories->xAxis->setTicker(epochs);
    m_trajectories->yAxis->ticker()->setTickCount(3); // the plot is short: few, readable ticks
    auto* cellLayout = new QHBoxLayout(cells);
    cellLayout->setContentsMargins(0, 0, 0, 0);
    cellLayout->addWidget(m_normalCell, 2);
    cellLayout->addWidget(m_reduceCell, 2);
    cellLayout->addWidget(m_trajectories, 1);

    auto* top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(m_curves);
    top->addWidget(alphaBox);
    m_curves->setMinimumWidth(300);
    top->setStretchFactor(0, 2);
    top->setStretchFactor(1, 3);
    top->setSizes({420, 630});
    auto* vertical = new QSplitter(Qt::Vertical, this);
    vertical->addWidget(top);
    vertical->addWidget(cells);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_header);
    layout->addWidget(m_annotations);
    layout->addWidget(vertical, 1);

    connect(m_slider, &QSlider::valueChanged, this, [this](int value) { showAlphaEpoch(value); });
    // 14 lines are too many for a legend on a small plot: each names its edge under the mouse.
    connect(m_trajectories, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
        const QString name = trajectoryAt(event->pos());
        if (name.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(event->globalPosition().toPoint(), name, m_trajectories);
    });
    clear();
}

void RunView::clear()
{
    m_runId = 0;
    m_details.reset();
    m_trimOnNextBatch = false;
    m_alphas.clear();
    m_finalGenotype.reset();
    m_shownGenotype.reset();
    m_header->setText(tr("<i>No run selected.</i>"));
    m_curves->clear();
    m_normalMap->clear();
    m_reduceMap->clear();
    const QSignalBlocker block(m_slider);
    m_slider->setRange(0, 0);
    m_slider->setEnabled(false);
    m_slider->setMarks({});
    m_epochLabel->clear();
    m_changes->clear();
    m_signals->clear();
    m_signalsText.clear();
    m_trajectories->clearGraphs();
    m_trajectories->replot(QCustomPlot::rpQueuedReplot);
    m_normalCell->clear(tr("no genotype"));
    m_reduceCell->clear(tr("no genotype"));
    m_tags->clear();
    m_note->clear();
    m_annotations->setEnabled(false);
    m_stop->hide();
    showAlphaPanels(true);
}

void RunView::showAlphaPanels(bool shown)
{
    m_alphaBox->setVisible(shown);
    m_trajectories->setVisible(shown);
}

bool RunView::alphaPanelsShown() const
{
    return !m_alphaBox->isHidden();
}

RunView::RunData RunView::read(store::RunStore& store, std::int64_t id)
{
    return {store.run(id), store.epochs(id), store.steps(id), store.alphas(id), store.issues(id)};
}

void RunView::display(const RunData& data)
{
    const auto& [details, epochs, steps, alphas, issues] = data;
    const std::int64_t id = details.id;
    clear();
    m_runId = id;
    m_details = details;
    m_finalGenotype = details.genotype;
    QString header =
        tr("<b>Run %1</b> &middot; %2 &middot; %3 &middot; %4 &middot; %5 s")
            .arg(id)
            .arg(QString::fromStdString(details.role).toHtmlEscaped())
            .arg(QString::fromStdString(statusName(details.status, details.stopReason)))
            .arg(details.epochs == 1 ? tr("1 epoch") : tr("%1 epochs").arg(details.epochs))
            .arg(details.seconds, 0, 'f', 1);
    if (details.bestValAcc)
        header += tr(" &middot; best val acc %1").arg(percent(*details.bestValAcc));
    if (details.testAcc)
        header += tr(" &middot; <b>test acc %1</b>").arg(percent(*details.testAcc));
    if (details.parameters) header += tr(" &middot; %L1 parameters").arg(*details.parameters);
    if (!details.warmStart.empty())
        header += tr(" &middot; warm start from %1")
                      .arg(QString::fromStdString(details.warmStart).toHtmlEscaped());
    header += QStringLiteral("<br>") + QString::fromStdString(details.datasetPath).toHtmlEscaped();
    if (!details.error.empty())
        header += QStringLiteral("<br><font color='#b00'>%1</font>")
                      .arg(QString::fromStdString(details.error).toHtmlEscaped());
    if (!issues.empty()) header += tr(" &middot; %n issue(s)", nullptr, int(issues.size()));
    m_header->setText(header);
    QStringList tags;
    for (const auto& t : details.tags)
        tags << QString::fromStdString(t);
    m_tags->setText(tags.join(QStringLiteral(", ")));
    m_note->setText(QString::fromStdString(details.note));
    m_annotations->setEnabled(true);
    // A training has a fixed genotype: no alphas to show.
    showAlphaPanels(details.kind != "train");

    m_curves->appendSteps(steps);
    m_curves->appendEpochs(epochs);

    m_alphas = alphas;
    if (m_alphas.empty() && m_finalGenotype) {
        m_shownGenotype = m_finalGenotype;
        m_normalCell->setGenotype(*m_finalGenotype, render::CellType::Normal);
        m_reduceCell->setGenotype(*m_finalGenotype, render::CellType::Reduce);
        return;
    }
    alphasChanged(true);
}

void RunView::beginLive(std::int64_t id, const QString& title)
{
    clear();
    m_runId = id;
    m_header->setText(
        tr("<b>Run %1</b> &middot; live &middot; %2").arg(id).arg(title.toHtmlEscaped()));
    m_stop->show();
}

void RunView::continueLive()
{
    m_trimOnNextBatch = true;
    m_stop->show();
    m_header->setText(m_header->text() + tr("<br><b>resumed here, live</b>"));
}

void RunView::dropFromEpoch(int epoch)
{
    m_curves->dropFromEpoch(epoch);
    std::erase_if(m_alphas, [epoch](const darts::AlphaSnapshot& a) { return a.epoch >= epoch; });
    if (!m_alphas.empty()) alphasChanged(true);
}

void RunView::appendLive(const session::SessionEvents& events)
{
    if (m_trimOnNextBatch) {
        int first = std::numeric_limits<int>::max();
        for (const auto& s : events.steps)
            first = std::min(first, s.epoch);
        for (const auto& e : events.epochs)
            first = std::min(first, e.epoch);
        for (const auto& a : events.alphas)
            first = std::min(first, a.epoch);
        if (first != std::numeric_limits<int>::max()) {
            dropFromEpoch(first);
            m_trimOnNextBatch = false;
        }
    }
    if (!events.steps.empty()) m_curves->appendSteps(events.steps);
    if (!events.epochs.empty()) m_curves->appendEpochs(events.epochs);
    if (events.alphas.empty()) return;
    // Follow the newest epoch unless the user moved the slider back.
    const bool follow = m_alphas.empty() || m_slider->value() == m_slider->maximum();
    m_alphas.insert(m_alphas.end(), events.alphas.begin(), events.alphas.end());
    m_finalGenotype = m_alphas.back().genotype;
    alphasChanged(follow);
}

std::vector<int> RunView::genotypeChanges() const
{
    std::vector<int> out;
    for (std::size_t i = 1; i < m_alphas.size(); ++i)
        if (!(m_alphas[i].genotype == m_alphas[i - 1].genotype)) out.push_back(int(i));
    return out;
}

void RunView::alphasChanged(bool follow)
{
    if (m_alphas.empty()) return;
    const int last = int(m_alphas.size()) - 1;
    {
        const QSignalBlocker block(m_slider);
        const int keep = m_slider->value();
        m_slider->setRange(0, last);
        m_slider->setEnabled(last > 0);
        m_slider->setValue(follow ? last : std::min(keep, last));
    }
    showAlphaEpoch(m_slider->value());
    const std::vector<int> marks = genotypeChanges();
    QStringList changes;
    for (int i : marks)
        changes << QString::number(m_alphas[std::size_t(i)].epoch);
    const QString text = changes.isEmpty()
                             ? tr("genotype unchanged over the epochs")
                             : tr("genotype changed at epoch %1 (marked ▲ on the timeline)")
                                   .arg(changes.join(QStringLiteral(", ")));
    m_slider->setMarks(marks, text);
    m_changes->setText(text);
    drawTrajectories();
}

void RunView::drawTrajectories()
{
    m_trajectories->clearGraphs();
    const auto& newest = m_alphas.back();
    const auto ops = newest.ops.size();
    const QStringList labels = AlphaHeatmapView::edgeLabels(newest.edges);
    for (int e = 0; e < newest.edges; ++e) {
        // The op this edge holds at the newest epoch, followed back through the epochs.
        std::size_t best = 0;
        for (std::size_t o = 1; o < ops; ++o)
            if (newest.normal[std::size_t(e) * ops + o] >
                newest.normal[std::size_t(e) * ops + best])
                best = o;
        auto* g = m_trajectories->addGraph();
        g->setName(labels.value(e) + QStringLiteral(": ") +
                   QString::fromStdString(newest.ops[best]));
        for (const auto& a : m_alphas)
            if (a.normal.size() == newest.normal.size())
                g->addData(a.epoch, a.normal[std::size_t(e) * ops + best]);
        g->setPen(QPen(QColor::fromHsv((e * 360) / std::max(1, newest.edges), 200, 200), 1.5));
    }
    m_trajectories->rescaleAxes();
    m_trajectories->replot(QCustomPlot::rpQueuedReplot);
}

QString RunView::trajectoryAt(const QPointF& pos) const
{
    double nearest = 6; // pixels
    QString name;
    for (int i = 0; i < m_trajectories->graphCount(); ++i) {
        const double d = m_trajectories->graph(i)->selectTest(pos, false);
        if (d >= 0 && d < nearest) {
            nearest = d;
            name = m_trajectories->graph(i)->name();
        }
    }
    return name;
}

QString RunView::hessianText(int index) const
{
    const double now = m_alphas[std::size_t(index)].signals.hessianEigenvalue;
    if (!std::isfinite(now)) return {};
    QString text = tr(" &middot; Hessian eigenvalue %1").arg(now, 0, 'g', 3);
    // The trend DARTS-ES watches: the change since the previous epoch that has one.
    for (int i = index - 1; i >= 0; --i) {
        const double before = m_alphas[std::size_t(i)].signals.hessianEigenvalue;
        if (!std::isfinite(before) || before == 0) continue;
        const double change = (now - before) / std::abs(before);
        text += tr(" (%1%2% since epoch %3)")
                    .arg(change >= 0 ? QStringLiteral("+") : QString())
                    .arg(100 * change, 0, 'f', 0)
                    .arg(m_alphas[std::size_t(i)].epoch);
        break;
    }
    return text;
}

void RunView::showAlphaEpoch(int index)
{
    if (index < 0 || index >= int(m_alphas.size())) return;
    const darts::AlphaSnapshot& a = m_alphas[std::size_t(index)];
    QStringList ops;
    for (const auto& op : a.ops)
        ops << QString::fromStdString(op);
    m_normalMap->setMatrix(a.edges, int(a.ops.size()), a.normal, ops,
                           AlphaHeatmapView::edgeLabels(a.edges, a.edgeNormal));
    m_reduceMap->setMatrix(a.edges, int(a.ops.size()), a.reduce, ops,
                           AlphaHeatmapView::edgeLabels(a.edges, a.edgeReduce));
    m_epochLabel->setText(tr("%1 / %2").arg(a.epoch).arg(m_alphas.back().epoch));
    // Older snapshots may lack the genotype: the last epoch falls back to the run's own.
    const bool last = index == int(m_alphas.size()) - 1;
    const darts::Genotype& g =
        a.genotype.normal.empty() && last && m_finalGenotype ? *m_finalGenotype : a.genotype;
    m_shownGenotype = g;
    // Edge width and label carry the chosen op's weight when the genotype is this epoch's own.
    const bool own = &g == &a.genotype;
    m_normalCell->setGenotype(
        g, render::CellType::Normal,
        {own ? chosenWeights(g.normal, a.normal, a.ops) : std::vector<float>{}, {}});
    m_reduceCell->setGenotype(
        g, render::CellType::Reduce,
        {own ? chosenWeights(g.reduce, a.reduce, a.ops) : std::vector<float>{}, {}});

    const auto& sg = a.signals;
    const auto flag = [](bool warn, const QString& text) {
        return warn ? QStringLiteral("<font color='#c00'><b>%1</b></font>").arg(text) : text;
    };
    const bool undecided =
        !darts::undecidedReason(sg, int(a.ops.size()), int(g.normal.size())).empty();
    m_signalsText = tr("skip edges %1 (normal), %2 (reduce) · parameter-free mass %3 · entropy %4 "
                       "· margin %5 (%6 undecided)")
                        .arg(sg.skipNormal)
                        .arg(sg.skipReduce)
                        .arg(sg.paramFreeNormal, 0, 'f', 2)
                        .arg(sg.entropyNormal, 0, 'f', 3)
                        .arg(sg.marginNormal, 0, 'f', 2)
                        .arg(sg.undecidedNormal);
    m_signals->setText(
        flag(sg.skipNormal >= darts::kSkipWarnCount, tr("skip edges %1").arg(sg.skipNormal)) +
        tr(" (normal), %1 (reduce) &middot; ").arg(sg.skipReduce) +
        flag(sg.paramFreeNormal > darts::paramFreeWarnMass(a.ops),
             tr("parameter-free mass %1").arg(sg.paramFreeNormal, 0, 'f', 2)) +
        tr(" &middot; entropy %1 &middot; ").arg(sg.entropyNormal, 0, 'f', 3) +
        flag(undecided, tr("margin %1 (%2 of %3 edges undecided)")
                            .arg(sg.marginNormal, 0, 'f', 2)
                            .arg(sg.undecidedNormal)
                            .arg(g.normal.size())) +
        hessianText(index));
}

} // namespace wb::ui
