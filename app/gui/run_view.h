#pragma once

#include "search_session.h"
#include "wb/darts/observer.h"
#include "wb/store/run_store.h"

#include <vector>

#include <QWidget>

class QCustomPlot;
class QLabel;
class QLineEdit;
class QPushButton;

namespace wb::ui {

class AlphaHeatmapView;
class CellGraphView;
class CurvesView;
class TimelineSlider;

// One run, read from the store or followed live: header, loss/accuracy curves, alpha heatmaps
// (normal, reduce) and the derived normal/reduce cells of the epoch chosen on one timeline
// slider (marked, and listed under it, where the genotype changed), per-edge alpha trajectories,
// and the collapse signals of that epoch (red past their warning thresholds). A training shows
// its curves, test result and cells (it has no alphas). Tags and the note of a recorded run are
// edited under the header. GUI thread only; owned by the MainWindow.
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
        std::vector<Issue> issues;
    };
    static RunData read(store::RunStore& store, std::int64_t id); // throws wb::Error
    void display(const RunData& data);
    void clear();
    // Live mode: a run that is being recorded by this process; appendLive() adds what the
    // session drained since the last call (batched: one replot per call).
    void beginLive(std::int64_t id, const QString& title);
    // Live mode for a resumed run already displayed: its recorded history stays, and the first
    // live batch drops what was recorded from the resumed epoch on (the run repeats it).
    void continueLive();
    void appendLive(const session::SessionEvents& events);

    std::int64_t runId() const { return m_runId; }
    // The displayed run as read from the store (nullopt when live from the start or cleared).
    const std::optional<store::RunDetails>& details() const { return m_details; }
    int epochCount() const { return int(m_alphas.size()); }
    void showAlphaEpoch(int index); // index into the recorded snapshots
    // The genotype of the epoch on the timeline (the run's final one without snapshots).
    const std::optional<darts::Genotype>& shownGenotype() const { return m_shownGenotype; }
    CurvesView* curves() const { return m_curves; }
    AlphaHeatmapView* normalHeatmap() const { return m_normalMap; }
    AlphaHeatmapView* reduceHeatmap() const { return m_reduceMap; }
    CellGraphView* normalCell() const { return m_normalCell; }
    CellGraphView* reduceCell() const { return m_reduceCell; }
    TimelineSlider* epochSlider() const { return m_slider; }
    QCustomPlot* trajectoryPlot() const { return m_trajectories; }
    const QString& signalsText() const { return m_signalsText; }
    // Snapshot indices whose genotype differs from the previous snapshot's (the slider's marks).
    std::vector<int> genotypeChanges() const;
    QLineEdit* tagsEdit() const { return m_tags; }
    QLineEdit* noteEdit() const { return m_note; }
    QPushButton* saveNotesButton() const { return m_saveNotes; }
    QPushButton* stopButton() const { return m_stop; }
    bool alphaPanelsShown() const;
    // The trajectory (edge and op) drawn within a few pixels of `pos` in the trajectory plot.
    QString trajectoryAt(const QPointF& pos) const;

Q_SIGNALS:
    // The stop button beside the collapse signals of a live search was pressed.
    void stopRequested();
    // Save was pressed: the run's tags (split at commas and spaces) and note as edited.
    void annotationsEdited(std::int64_t runId, const QStringList& tags, const QString& note);

private:
    // The epoch's Hessian eigenvalue and its change since the previous epoch (rich text).
    QString hessianText(int index) const;
    void alphasChanged(bool follow);
    void dropFromEpoch(int epoch);
    void drawTrajectories();

    void showAlphaPanels(bool shown);

    QLabel* m_header = nullptr;
    QWidget* m_alphaBox = nullptr;
    QWidget* m_annotations = nullptr;
    QLineEdit* m_tags = nullptr;
    QLineEdit* m_note = nullptr;
    QPushButton* m_saveNotes = nullptr;
    QPushButton* m_stop = nullptr; // beside the signals, while live
    QLabel* m_signals = nullptr;
    QLabel* m_changes = nullptr;
    QCustomPlot* m_trajectories = nullptr;
    QString m_signalsText;
    CurvesView* m_curves = nullptr;
    AlphaHeatmapView* m_normalMap = nullptr;
    AlphaHeatmapView* m_reduceMap = nullptr;
    TimelineSlider* m_slider = nullptr;
    QLabel* m_epochLabel = nullptr;
    CellGraphView* m_normalCell = nullptr;
    CellGraphView* m_reduceCell = nullptr;
    std::int64_t m_runId = 0;
    std::optional<store::RunDetails> m_details;
    bool m_trimOnNextBatch = false; // continueLive(): the first batch tells the resumed epoch
    std::vector<darts::AlphaSnapshot> m_alphas;
    std::optional<darts::Genotype> m_finalGenotype;
    std::optional<darts::Genotype> m_shownGenotype;
};

} // namespace wb::ui
