#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace wb {

// Stop / pause / resume requests for a running job. Any thread may request; the job's own
// thread calls checkpoint() at safe points (DARTS: after a complete alpha + weight step pair;
// Sinkhorn: every few iterations), which blocks while paused and returns false once stopped.
class RunControl {
public:
    void requestStop();
    // Async-signal-safe variant for a SIGINT handler: a lock-free store, no wake-up (a paused
    // job is never the target of a signal in the CLI).
    void requestStopFromSignal() { m_stop.store(true); }
    void pause();
    void resume();
    bool stopRequested() const { return m_stop.load(); }
    bool paused() const { return m_paused.load(); }

    // Called by the job: waits while paused; true = keep going, false = stop now.
    bool checkpoint();

private:
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_paused{false};
    std::mutex m_mutex;
    std::condition_variable m_wake;
};

} // namespace wb
