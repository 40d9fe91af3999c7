#pragma once

#include "search_session.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>

#include <QObject>
#include <QString>

namespace wb::session {

// The bookkeeping of the one search the workbench runs itself: which run it records into (known
// once the worker created the row), how far it got and when it will end. The window feeds it
// each drained batch of events and shows what it signals. GUI thread, except setRunId().
class LiveRun : public QObject {
    Q_OBJECT
public:
    // Monotonic seconds; injectable so tests can drive the ETA.
    using Clock = std::function<double()>;

    explicit LiveRun(QObject* parent = nullptr, Clock clock = {});

    // A search of `epochs` epochs is about to start; a resumed one continues run `runId`, whose
    // recorded history is already shown.
    void begin(int epochs, bool resumed, std::int64_t runId = 0);
    // Any thread (the worker calls it once the run row exists).
    void setRunId(std::int64_t id) { m_runId = id; }
    std::int64_t runId() const { return m_runId; }
    bool resumed() const { return m_resumed; }
    bool active() const { return m_active; }

    // A drained batch: announces the run once its id is known, then the progress of its newest
    // step.
    void update(const SessionEvents& events);
    void end();

    // Share of the whole search done after step `s` (0..1).
    static double fraction(const darts::StepMetrics& s, int epochs);
    // Seconds left at the pace seen since the first step of this session (a resumed run
    // started part-way); none before any progress.
    std::optional<int> etaSeconds() const { return m_eta; }

Q_SIGNALS:
    // Once per search, on the GUI thread, when its run row is first known.
    void appeared(qint64 runId, bool resumed);
    // Progress as a fraction and a one-line status ("epoch 2/6 · step 5/9 · ETA 1:05").
    void progressed(double fraction, const QString& status);
    void ended();

private:
    Clock m_clock;
    std::atomic<std::int64_t> m_runId{0};
    bool m_active = false;
    bool m_announced = false;
    bool m_resumed = false;
    int m_epochs = 0;
    std::optional<double> m_startFraction; // progress at the first step of this session
    double m_startTime = 0;
    std::optional<int> m_eta;
};

} // namespace wb::session
