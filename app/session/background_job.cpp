#include "background_job.h"

namespace wb::session {

BackgroundJob::BackgroundJob(QObject* parent) : QObject(parent) {}

BackgroundJob::~BackgroundJob()
{
    if (!m_thread) return;
    m_control->requestStop();
    m_thread->wait();
    delete m_thread; // its queued `finished` handler is dropped with this object
}

bool BackgroundJob::start(Work work)
{
    if (m_thread) return false;
    m_control = std::make_unique<RunControl>();
    const Post post = [this](std::function<void()> fn) {
        QMetaObject::invokeMethod(this, std::move(fn), Qt::QueuedConnection);
    };
    m_thread = QThread::create(
        [work = std::move(work), post, control = m_control.get()] { work(*control, post); });
    // Queued after everything the job posted: the pages see its results before `finished`.
    connect(m_thread, &QThread::finished, this, [this] {
        m_thread->deleteLater();
        m_thread = nullptr;
        Q_EMIT finished();
    });
    m_thread->start();
    return true;
}

void BackgroundJob::stop()
{
    if (m_control) m_control->requestStop();
}

} // namespace wb::session
