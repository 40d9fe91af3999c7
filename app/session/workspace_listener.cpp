#include "workspace_listener.h"

#include "wb/store/change_listener.h"
#include "wb/store/workspace_location.h"

#include <QMetaObject>

namespace wb::session {

WorkspaceListener::WorkspaceListener(QObject* parent) : QObject(parent) {}

WorkspaceListener::~WorkspaceListener()
{
    stop();
}

void WorkspaceListener::stop()
{
    if (m_stop) *m_stop = true;
    if (m_thread.joinable()) m_thread.join();
    m_stop.reset();
}

bool WorkspaceListener::watch(const QString& db)
{
    stop();
    const auto path = db.toStdString();
    if (!store::isServerWorkspace(path)) return false;
    m_stop = std::make_shared<std::atomic<bool>>(false);
    // Signals are queued to this object's (GUI) thread and dropped once it is gone; stop()
    // joins before that.
    m_thread = std::thread([this, path, stop = m_stop] {
        try {
            const auto listener = store::ChangeListener::open(path);
            while (!*stop)
                if (listener->wait(0.25))
                    QMetaObject::invokeMethod(
                        this, [this] { Q_EMIT changed(); }, Qt::QueuedConnection);
        } catch (const std::exception& e) {
            const auto message = QString::fromUtf8(e.what());
            QMetaObject::invokeMethod(
                this, [this, message] { Q_EMIT lost(message); }, Qt::QueuedConnection);
        }
    });
    return true;
}

} // namespace wb::session
