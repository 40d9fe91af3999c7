#include "workspace_watcher.h"

#include "background_read.h"
#include "workspace_listener.h"

#include <QTimer>

namespace wb::session {

WorkspaceWatcher::WorkspaceWatcher(QObject* parent)
    : QObject(parent), m_pollTimer(new QTimer(this)), m_listener(new WorkspaceListener(this))
{
    m_pollTimer->setInterval(kPollMs);
    connect(m_pollTimer, &QTimer::timeout, this, &WorkspaceWatcher::poll);
    connect(m_listener, &WorkspaceListener::changed, this, &WorkspaceWatcher::poll);
    connect(m_listener, &WorkspaceListener::lost, this, [this](const QString& message) {
        m_pollTimer->setInterval(kPollMs);
        Q_EMIT notificationsLost(message);
    });
}

void WorkspaceWatcher::watch(const QString& db)
{
    m_workspace = db;
    reload();
    m_pollTimer->setInterval(m_listener->watch(db) ? kServerPollMs : kPollMs);
    m_pollTimer->start();
}

void WorkspaceWatcher::reload()
{
    list(false);
}

void WorkspaceWatcher::poll()
{
    list(true);
}

int WorkspaceWatcher::pollInterval() const
{
    return m_pollTimer->interval();
}

void WorkspaceWatcher::setPollInterval(int ms)
{
    m_pollTimer->setInterval(ms);
}

void WorkspaceWatcher::list(bool poll)
{
    if (m_workspace.isEmpty() || (poll && isBusy())) return;
    const int generation = ++m_generation;
    (poll ? m_polling : m_listing) = true;
    if (!poll) Q_EMIT listingStarted();
    // A poll reuses what the current listing read of unchanged runs; a reload reads all.
    std::shared_ptr<const WorkspaceSnapshot> previous;
    if (poll) previous = m_snapshot;
    readInBackground<WorkspaceSnapshot>(
        this, m_workspace.toStdString(),
        [previous](store::RunStore& store) {
            return WorkspaceSnapshot::read(store, previous.get());
        },
        [this, generation, poll](std::shared_ptr<const WorkspaceSnapshot> snapshot,
                                 const QString& error) {
            if (generation != m_generation) return; // a newer listing is on its way
            m_listing = m_polling = false;
            if (!snapshot) {
                Q_EMIT listingFailed(error);
                return;
            }
            if (poll && snapshot->sameListing(*m_snapshot)) return;
            auto replaced = std::exchange(m_snapshot, std::move(snapshot));
            Q_EMIT listed(std::move(replaced), poll);
        });
}

} // namespace wb::session
