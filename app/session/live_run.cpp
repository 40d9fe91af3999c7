#include "live_run.h"

#include <algorithm>
#include <chrono>

namespace wb::session {
namespace {

double steadySeconds()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

LiveRun::LiveRun(QObject* parent, Clock clock)
    : QObject(parent), m_clock(clock ? std::move(clock) : Clock(steadySeconds))
{
}

void LiveRun::begin(int epochs, bool resumed, std::int64_t runId)
{
    m_runId = runId;
    m_active = true;
    m_announced = false;
    m_resumed = resumed;
    m_epochs = epochs;
    m_startFraction.reset(); // the first step sets it and the ETA's clock
    m_eta.reset();
}

double LiveRun::fraction(const darts::StepMetrics& s, int epochs)
{
    const double done =
        (double(s.epoch - 1) + double(s.step) / double(std::max(1, s.stepsPerEpoch))) /
        double(std::max(1, epochs));
    return std::clamp(done, 0.0, 1.0);
}

void LiveRun::update(const SessionEvents& events)
{
    if (!m_active) return;
    if (!m_announced && m_runId > 0) {
        m_announced = true;
        Q_EMIT appeared(m_runId, m_resumed);
    }
    if (events.steps.empty()) return;
    const auto& s = events.steps.back();
    const double done = fraction(s, m_epochs);
    const double now = m_clock();
    if (!m_startFraction) {
        m_startFraction = done;
        m_startTime = now;
    }
    const double pace = done - *m_startFraction;
    m_eta =
        pace > 0 ? std::optional<int>(int((now - m_startTime) * (1 - done) / pace)) : std::nullopt;
    const int eta = m_eta.value_or(0);
    const QString etaText =
        m_eta ? QStringLiteral("%1:%2").arg(eta / 60).arg(eta % 60, 2, 10, QLatin1Char('0'))
              : QStringLiteral("…");
    Q_EMIT progressed(done, tr("epoch %1/%2 · step %3/%4 · ETA %5")
                                .arg(s.epoch)
                                .arg(m_epochs)
                                .arg(s.step)
                                .arg(s.stepsPerEpoch)
                                .arg(etaText));
}

void LiveRun::end()
{
    if (!m_active) return;
    m_active = false;
    Q_EMIT ended();
}

} // namespace wb::session
