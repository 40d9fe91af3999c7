#pragma once

#include <QObject>

class QSocketNotifier;

namespace wb::session {

// Turns SIGTERM and SIGINT into a Qt signal on the thread that created it (the GUI thread), so
// a terminated workbench stops its search cleanly (cancelled, resumable) instead of dying
// mid-epoch. Async-signal-safe: the handler only writes the signal number to a socket pair.
// One instance per process; the previous handlers come back when it is destroyed.
class TerminationSignals : public QObject {
    Q_OBJECT
public:
    explicit TerminationSignals(QObject* parent = nullptr);
    ~TerminationSignals() override;

Q_SIGNALS:
    void received(int signal);

private:
    void drain();
    QSocketNotifier* m_notifier = nullptr;
};

} // namespace wb::session
