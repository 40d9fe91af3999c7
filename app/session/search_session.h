#pragma once

#include "wb/common/run_control.h"
#include "wb/darts/search.h"
#include "wb/darts/search_config.h"
#include "wb/store/transfer_records.h"

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <QObject>
#include <QString>
#include <QThread>

namespace wb::session {

// Progress of a run since the last drain, in arrival order per kind.
struct SessionEvents {
    std::vector<DatasetSummary> datasets;
    std::vector<darts::StepMetrics> steps;
    std::vector<darts::EpochMetrics> epochs;
    std::vector<darts::AlphaSnapshot> alphas;
    std::vector<Issue> issues;
    bool empty() const
    {
        return datasets.empty() && steps.empty() && epochs.empty() && alphas.empty() &&
               issues.empty();
    }
};

// Runs one search job at a time on a worker QThread it owns. Lives in (and is used from) the GUI
// thread. The job's observer queues value types under a mutex and emits progressAvailable() only
// when the queue goes from empty to non-empty; the GUI drains it on its own timer. pause/resume/
// stop go straight to the RunControl (the worker's event loop is busy inside the job). The
// destructor stops the job and joins the thread.
class SearchSession : public QObject {
    Q_OBJECT
public:
    // The job: runs synchronously on the worker thread, must honour control.checkpoint().
    using Runner = std::function<darts::SearchResult(RunControl&, darts::RunObserver&)>;
    // How long the destructor waits for a stopped job before it blocks with a warning (ms).
    static constexpr int kJoinTimeoutMs = 10000;

    explicit SearchSession(QObject* parent = nullptr);
    ~SearchSession() override;

    // The real DARTS search (wb::darts::runSearch) as a Runner.
    static Runner searchRunner(darts::SearchConfig config);
    // The same, recorded in the workspace database `dbPath` like a CLI run (run row, metrics,
    // checkpoints in its folder) and, when `transfer` is set, linked to its zoo source.
    // onRunCreated(id) is called on the worker thread once the run row exists.
    static Runner recordedSearchRunner(std::string dbPath, darts::SearchConfig config,
                                       std::optional<store::TransferRecord> transfer,
                                       std::function<void(std::int64_t)> onRunCreated);
    // Continues the recorded search `id` of `dbPath` (interrupted, cancelled or failed) from
    // its newest usable checkpoint, recording into the same run like `supernet runs resume`
    // (threads >= 0 overrides the recorded thread count).
    static Runner resumedSearchRunner(std::string dbPath, std::int64_t id, int threads = -1);

    // False (and nothing happens) while a job is still running.
    bool start(Runner runner);
    void pause();
    void resume();
    void stop();
    bool isRunning() const;
    bool isPaused() const;
    // Requests a stop and waits up to `timeoutMs` for the thread to end; true when joined.
    bool stopAndWait(int timeoutMs);

    // Takes everything queued since the last call (any thread may call it; the GUI does).
    SessionEvents drain();
    // The last job's result, valid after finished().
    const darts::SearchResult& result() const { return m_result; }

Q_SIGNALS:
    void started();
    void progressAvailable();
    // Exactly one of these per job, then finished(): failed() for a thrown exception or a
    // Failed result (with its message).
    void failed(const QString& message);
    void finished(int status); // RunStatus

private:
    class Observer;
    class Worker;
    friend class Observer;
    friend class Worker;

    void push(const std::function<void(SessionEvents&)>& add);
    void onWorkerDone(const darts::SearchResult& result, const QString& exceptionMessage);

    QThread m_thread;
    std::unique_ptr<Worker> m_worker; // lives in m_thread while a job runs
    std::unique_ptr<RunControl> m_control;
    std::unique_ptr<Observer> m_observer;
    mutable std::mutex m_queueMutex;
    SessionEvents m_queue; // guarded by m_queueMutex
    darts::SearchResult m_result;
    bool m_running = false;
};

} // namespace wb::session
