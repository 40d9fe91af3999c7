#pragma once

#include "wb/common/run_control.h"

#include <QObject>
#include <QThread>

#include <functional>
#include <memory>

namespace wb::session {

// One job at a time on a thread of its own, for the pages of the workbench (dataset loading, the
// suite build, the distance matrix, the source ranking): owns the thread and the job's
// RunControl, lets the job post work back to the GUI thread, and can be stopped. Destroying it
// stops the job and waits for it, so what the job posts never reaches a destroyed page. Lives in
// and is used from the GUI thread.
class BackgroundJob : public QObject {
    Q_OBJECT
public:
    // Runs `fn` on the GUI thread (queued; dropped when the BackgroundJob is gone).
    using Post = std::function<void(std::function<void()> fn)>;
    using Work = std::function<void(RunControl& control, const Post& post)>;

    explicit BackgroundJob(QObject* parent = nullptr);
    ~BackgroundJob() override;

    // False (and nothing happens) while a job is running.
    bool start(Work work);
    // Asks the running job to stop (it sees control.stopRequested()).
    void stop();
    bool isRunning() const { return m_thread != nullptr; }

Q_SIGNALS:
    // On the GUI thread, after the job returned and everything it posted ran.
    void finished();

private:
    QThread* m_thread = nullptr;
    std::unique_ptr<RunControl> m_control;
};

} // namespace wb::session
