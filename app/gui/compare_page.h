#pragma once

#include "workspace_snapshot.h"

#include <map>
#include <vector>

#include <QWidget>

class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QListWidget;

namespace wb::ui {

class CellGraphView;

// Compares runs: the checked runs' per-epoch metric (val accuracy by default; accuracies in
// percent) overlaid against epochs or wall-clock seconds, optionally smoothed (an exponential
// moving average); searches and trainings alike. A
// scratch run and warm-started runs of the same dataset and seed get the speed-up annotated (the
// epoch each warm run reaches scratch's best), and the final normal cells of the scratch run and
// the first warm run side by side with the differing edges in red. An experiment shows per-arm seed
// means with a ±1 std band for one target. GUI thread only.
class ComparePage : public QWidget {
    Q_OBJECT
public:
    explicit ComparePage(QWidget* parent = nullptr);

    // Lists the snapshot's searches and experiments, keeping the checked runs (those still
    // there) and the experiment and target on show.
    void setSnapshot(const session::WorkspaceSnapshot& snapshot);
    void setChecked(const std::vector<std::int64_t>& runIds);
    std::vector<std::int64_t> checkedRuns() const;
    void setMetric(session::EpochSeries metric);
    void showExperiment(std::int64_t id, const QString& target);
    QCustomPlot* plot() const { return m_plot; }
    // The speed-up annotations currently drawn ("run 12: ×3.00 ...").
    const QStringList& annotations() const { return m_annotations; }

private:
    using RunCurve = session::SearchCurve;
    void redrawRuns();
    void redrawExperiment();
    session::EpochSeries metric() const;
    void markScratchBest(double value); // dashed line at scratch's best val accuracy
    // Both normal cells side by side, differing edges in red, the differences listed in `lines`;
    // false (nothing drawn) unless both runs have a genotype.
    bool showCellPair(const RunCurve* scratch, const RunCurve* warm, QStringList& lines);
    void finishPlot(); // axis label and range of the metric, one replot
    // A series as plotted: accuracies in percent, smoothed as chosen.
    std::vector<double> shown(std::vector<double> y) const;
    bool wallClock() const; // x in seconds (checked runs only; experiments stay per epoch)
    std::vector<double> abscissae(const RunCurve& c) const;

    QListWidget* m_runs = nullptr;
    QComboBox* m_experiment = nullptr;
    QComboBox* m_target = nullptr;
    QComboBox* m_metric = nullptr;
    QComboBox* m_xAxis = nullptr;
    QDoubleSpinBox* m_smoothing = nullptr;
    QCustomPlot* m_plot = nullptr;
    QLabel* m_summary = nullptr;
    CellGraphView* m_scratchCell = nullptr;
    CellGraphView* m_warmCell = nullptr;
    QStringList m_annotations;
    std::map<std::int64_t, RunCurve> m_curves;
    std::vector<store::ExperimentRecord> m_experiments;
};

} // namespace wb::ui
