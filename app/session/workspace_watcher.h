#pragma once

#include "workspace_snapshot.h"

#include <memory>

#include <QObject>
#include <QString>

class QTimer;

namespace wb::session {

class WorkspaceListener;

// Keeps a listing of the open workspace current: lists it on open and on reload(), and re-lists
// it when another process writes (told by LISTEN/NOTIFY on PostgreSQL) or every poll interval.
// Every listing runs on a worker thread with its own read-only connection; the newest one
// asked for wins. A re-listing that finds nothing changed emits nothing. GUI thread only.
class WorkspaceWatcher : public QObject {
    Q_OBJECT
public:
    // Re-listing period of a SQLite file (ms), and of a server workspace, whose notifications
    // make polling only a backup for a lost one.
    static constexpr int kPollMs = 4000;
    static constexpr int kServerPollMs = 30000;

    explicit WorkspaceWatcher(QObject* parent = nullptr);

    // Watches `db` (already known to open) from now on, starting with a full listing.
    void watch(const QString& db);
    // A full listing (every run read again); listingStarted() then listed() or listingFailed().
    void reload();
    // A re-listing that reuses what was read of unchanged runs; skipped while any listing is
    // in flight.
    void poll();

    // The newest listing applied (empty before the first).
    std::shared_ptr<const WorkspaceSnapshot> snapshot() const { return m_snapshot; }
    bool isListing() const { return m_listing; } // a full listing is in flight
    bool isBusy() const { return m_listing || m_polling; }
    int pollInterval() const;
    void setPollInterval(int ms); // tests

Q_SIGNALS:
    void listingStarted();
    // snapshot() now holds the new listing; `previous` is the one it replaced.
    void listed(std::shared_ptr<const WorkspaceSnapshot> previous, bool poll);
    void listingFailed(const QString& message);
    // Change notifications stopped (the server went away); polling carries on.
    void notificationsLost(const QString& message);

private:
    void list(bool poll);

    QString m_workspace;
    std::shared_ptr<const WorkspaceSnapshot> m_snapshot = std::make_shared<WorkspaceSnapshot>();
    QTimer* m_pollTimer = nullptr;
    WorkspaceListener* m_listener = nullptr;
    int m_generation = 0; // the newest listing asked for wins
    bool m_listing = false;
    bool m_polling = false;
};

} // namespace wb::session
