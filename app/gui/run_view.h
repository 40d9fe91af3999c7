#pragma once

#include "search_session.h"
#include "wb/darts/observer.h"
#include "wb/store/run_store.h"

#include <vector>

#include <QWidget>

class QCustomPlot;
class QLabel;
class QSlider;

namespace wb::ui {

class AlphaHeatmapView;
class CellGraphView;
class CurvesView;

// One run, read from the store or followed live: header, loss/accuracy curves, alpha heatmaps
// (normal, reduce) and the derived normal/reduce cells of the epoch chosen on one timeline
// slider (epochs where the genotype changed are listed under it), per-edge alpha trajectories,
// and the collapse signals of that epoch (red past their warning thresholds).
// GUI thread only; owned by the MainWindow.
class RunView : public QWidget {
    Q_OBJECT
public:
    explicit RunView(QWidget* parent = nullptr);

    // Everything the view shows of one run, read from the store (any thread, own connection).
    struct RunData {
        store::RunDetails details;
        std::vector<darts::EpochMetrics> epochs;
        std::vector<darts::StepMetrics> steps;
        std::vector<darts::AlphaSnapshot> alphas;
        std::vector<darts::Issue> issues;
    };
    static RunData read(store::RunStore& store, std::int64_t id); // throws wb::Error
    void display(const RunData& data);
    // read() + display() on the calling thread.
    void load(store::RunStore& store, std::int64_t id);
    void clear();
    // Live mode: a run that is being recorded by this process; appendLive() adds what the
    // session drained since the last call (batched: one replot per call).
    void beginLive(std::int64_t id, const QString& title);
    void appendLive(const session::SessionEvents& events);

    std::int64_t runId() const { return m_runId; }
    int epochCount() const { return int(m_alphas.size()); }
    void showAlphaEpoch(int index); // index into the recorded snapshots
    CurvesView* curves() const { return m_curves; }
    AlphaHeatmapView* normalHeatmap() const { return m_normalMap; }
    AlphaHeatmapView* reduceHeatmap() const { return m_reduceMap; }
    CellGraphView* normalCell() const { return m_normalCell; }
    CellGraphView* reduceCell() const { return m_reduceCell; }
    QSlider* epochSlider() const { return m_slider; }
    QCustomPlot* trajectoryPlot() const { return m_trajectories; }
    const QString& signalsText() const { return m_signalsText; }
    // Epochs (1-based as recorded) whose genotype differs from the previous snapshot's.
    std::vector<int> genotypeChanges() const;

private:
    void alphasChanged(bool follow);
    void drawTrajectories();

    QLabel* m_header = nullptr;
    QLabel* m_signals = nullptr;
    QLabel* m_changes = nullptr;
    QCustomPlot* m_trajectories = nullptr;
    QString m_signalsText;
    CurvesView* m_curves = nullptr;
    AlphaHeatmapView* m_normalMap = nullptr;
    AlphaHeatmapView* m_reduceMap = nullptr;
    QSlider* m_slider = nullptr;
    QLabel* m_epochLabel = nullptr;
    CellGraphView* m_normalCell = nullptr;
    CellGraphView* m_reduceCell = nullptr;
    std::int64_t m_runId = 0;
    std::vector<darts::AlphaSnapshot> m_alphas;
    std::optional<darts::Genotype> m_finalGenotype;
};

} // namespace wb::ui
