#include "search_session.h"

#include <exception>

#include <QDeadlineTimer>
#include <QtDebug>

namespace wb::session {

// Forwards the job's callbacks (worker thread) into the session's queue.
class SearchSession::Observer : public darts::RunObserver {
public:
    explicit Observer(SearchSession* session) : m_session(session) {}
    void onDataset(const DatasetSummary& d) override
    {
        m_session->push([&](SessionEvents& q) { q.datasets.push_back(d); });
    }
    void onStep(const darts::StepMetrics& m) override
    {
        m_session->push([&](SessionEvents& q) { q.steps.push_back(m); });
    }
    void onEpoch(const darts::EpochMetrics& m) override
    {
        m_session->push([&](SessionEvents& q) { q.epochs.push_back(m); });
    }
    void onAlphas(const darts::AlphaSnapshot& a) override
    {
        m_session->push([&](SessionEvents& q) { q.alphas.push_back(a); });
    }
    void onIssue(const Issue& i) override
    {
        m_session->push([&](SessionEvents& q) { q.issues.push_back(i); });
    }

private:
    SearchSession* m_session;
};

// Runs one job on the session's thread; created per job, deleted by the session after joining.
class SearchSession::Worker : public QObject {
public:
    Worker(SearchSession* session, Runner runner, RunControl& control, darts::RunObserver& observer)
        : m_session(session), m_runner(std::move(runner)), m_control(control), m_observer(observer)
    {
    }

    void run()
    {
        // Nothing may escape a thread body: every exception becomes a failed job.
        auto result = std::make_shared<darts::SearchResult>();
        QString exceptionMessage;
        try {
            *result = m_runner(m_control, m_observer);
        } catch (const std::exception& e) {
            exceptionMessage = QString::fromUtf8(e.what());
        } catch (...) {
            exceptionMessage = QStringLiteral("unknown exception in the search job");
        }
        if (!exceptionMessage.isEmpty()) {
            result->status = RunStatus::Failed;
            result->error = exceptionMessage.toStdString();
        }
        SearchSession* session = m_session;
        // Queued into the GUI thread; dropped if the session is destroyed first.
        QMetaObject::invokeMethod(
            session,
            [session, result, exceptionMessage] {
                session->onWorkerDone(*result, exceptionMessage);
            },
            Qt::QueuedConnection);
        QThread::currentThread()->quit();
    }

private:
    SearchSession* m_session;
    Runner m_runner;
    RunControl& m_control;
    darts::RunObserver& m_observer;
};

SearchSession::SearchSession(QObject* parent) : QObject(parent)
{
    m_thread.setObjectName(QStringLiteral("search-worker"));
}

SearchSession::~SearchSession()
{
    if (m_thread.isRunning()) {
        m_control->requestStop();
        m_control->resume();
        if (!m_thread.wait(QDeadlineTimer(kJoinTimeoutMs))) {
            // Terminating would leave torch and the store in an unknown state: keep waiting.
            qWarning("search job did not stop within %d ms; waiting for it", kJoinTimeoutMs);
            m_thread.wait();
        }
    }
    m_worker.reset();
}

bool SearchSession::start(Runner runner)
{
    if (m_running) return false;
    if (m_thread.isRunning()) m_thread.wait(); // a previous job's thread is about to end
    m_worker.reset();
    {
        std::lock_guard lock(m_queueMutex);
        m_queue = {};
    }
    m_result = {};
    m_control = std::make_unique<RunControl>();
    m_observer = std::make_unique<Observer>(this);
    m_worker = std::make_unique<Worker>(this, std::move(runner), *m_control, *m_observer);
    m_worker->moveToThread(&m_thread);
    Worker* worker = m_worker.get();
    // Direct call on the worker thread as it starts (before its event loop), by design: the
    // job occupies the thread until it ends.
    connect(
        &m_thread, &QThread::started, worker, [worker] { worker->run(); }, Qt::DirectConnection);
    m_running = true;
    m_thread.start();
    Q_EMIT started();
    return true;
}

void SearchSession::pause()
{
    if (m_running) m_control->pause();
}

void SearchSession::resume()
{
    if (m_running) m_control->resume();
}

void SearchSession::stop()
{
    if (!m_running) return;
    m_control->requestStop();
    m_control->resume(); // a paused job must wake up to see the stop
}

bool SearchSession::isRunning() const
{
    return m_running;
}

bool SearchSession::isPaused() const
{
    return m_running && m_control->paused();
}

bool SearchSession::stopAndWait(int timeoutMs)
{
    stop();
    return m_thread.wait(QDeadlineTimer(timeoutMs));
}

SessionEvents SearchSession::drain()
{
    std::lock_guard lock(m_queueMutex);
    SessionEvents out = std::move(m_queue);
    m_queue = {};
    return out;
}

void SearchSession::push(const std::function<void(SessionEvents&)>& add)
{
    bool wasEmpty = false;
    {
        std::lock_guard lock(m_queueMutex);
        wasEmpty = m_queue.empty();
        add(m_queue);
    }
    // Signal emission is thread-safe; the queued connection wakes the GUI once per batch.
    if (wasEmpty) Q_EMIT progressAvailable();
}

void SearchSession::onWorkerDone(const darts::SearchResult& result, const QString& exceptionMessage)
{
    m_thread.wait(); // the worker quit its thread right after queueing this call
    m_worker.reset();
    m_result = result;
    m_running = false;
    if (result.status == RunStatus::Failed)
        Q_EMIT failed(exceptionMessage.isEmpty() ? QString::fromStdString(result.error)
                                                 : exceptionMessage);
    Q_EMIT finished(int(result.status));
}

} // namespace wb::session
