#pragma once

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <thread>

namespace wb::session {

// Tells the workbench when another process wrote to a PostgreSQL workspace (LISTEN/NOTIFY; see
// wb/store/change_listener.h), so it re-lists at once instead of polling. A SQLite workspace
// has no such channel: watch() returns false and the workbench keeps polling. Lives in the GUI
// thread; waits on a thread of its own.
class WorkspaceListener : public QObject {
    Q_OBJECT
public:
    explicit WorkspaceListener(QObject* parent = nullptr);
    ~WorkspaceListener() override;

    // Stops watching the previous workspace; true when `db` can be watched. Throws nothing: a
    // server that cannot be reached is reported through lost().
    bool watch(const QString& db);
    void stop();

Q_SIGNALS:
    // Some process committed a write (several close together arrive as one).
    void changed();
    // The listening connection failed; nothing more is heard until the next watch().
    void lost(const QString& message);

private:
    std::thread m_thread;
    std::shared_ptr<std::atomic<bool>> m_stop;
};

} // namespace wb::session
