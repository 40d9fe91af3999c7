#pragma once

#include "workspace_snapshot.h"

#include "wb/transfer/distance_gain.h"

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
// means with a ±1 std band for one target, or, over all its targets, each warm start's gain
// against its dataset distance (one point per target, source and seed) with the least-squares
// trend and the per-target rank correlations. GUI thread only.
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
    // The experiment's distance-vs-gain scatter; false when it has no warm arm with a distance.
    bool showDistanceGain(std::int64_t id);
    void setGain(transfer::Gain gain);
    QCustomPlot* plot() const { return m_plot; }
    // The speed-up annotations currently drawn ("run 12: ×3.00 ...").
    const QStringList& annotations() const { return m_annotations; }

private:
    using RunCurve = session::SearchCurve;
    void redrawRuns();
    void redrawExperiment();
    void redrawDistanceGain(const store::ExperimentRecord& e);
    // The cells' outcomes as the tables see them, curves from the snapshot (empty: no run).
    std::vector<transfer::ArmOutcome> outcomes(const store::ExperimentRecord& e,
                                               const std::string& target = {}) const;
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
    QComboBox* m_target = nullptr; // the last item (no path): distance vs gain
    QComboBox* m_gain = nullptr;
    QComboBox* m_metric = nullptr;
    QComboBox* m_xAxis = nullptr;
    QDoubleSpinBox* m_smoothing = nullptr;
    QCustomPlot* m_plot = nullptr;
    QLabel* m_summary = nullptr;
    CellGraphView* m_scratchCell = nullptr;
    CellGraphView* m_warmCell = nullptr;
    QWidget* m_cells = nullptr; // both cell views; hidden under the scatter
    QStringList m_annotations;
    std::map<std::int64_t, RunCurve> m_curves;
    std::vector<store::ExperimentRecord> m_experiments;
};

} // namespace wb::ui
