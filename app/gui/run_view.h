#pragma once

#include "wb/darts/observer.h"
#include "wb/store/run_store.h"

#include <vector>

#include <QWidget>

class QLabel;
class QSlider;

namespace wb::ui {

class AlphaHeatmapView;
class CellGraphView;
class CurvesView;

// One run read from the store: header, loss/accuracy curves, alpha heatmaps (normal, reduce)
// with an epoch slider, and the derived normal/reduce cells of the selected epoch.
// GUI thread only; owned by the MainWindow.
class RunView : public QWidget {
    Q_OBJECT
public:
    explicit RunView(QWidget* parent = nullptr);

    // Reads everything of run `id` through `store`; throws wb::Error like the store.
    void load(store::RunStore& store, std::int64_t id);
    void clear();

    std::int64_t runId() const { return m_runId; }
    int epochCount() const { return int(m_alphas.size()); }
    void showAlphaEpoch(int index); // index into the recorded snapshots
    CurvesView* curves() const { return m_curves; }
    AlphaHeatmapView* normalHeatmap() const { return m_normalMap; }
    AlphaHeatmapView* reduceHeatmap() const { return m_reduceMap; }
    CellGraphView* normalCell() const { return m_normalCell; }
    CellGraphView* reduceCell() const { return m_reduceCell; }
    QSlider* epochSlider() const { return m_slider; }

private:
    QLabel* m_header = nullptr;
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
