// The pages' job helper: posted work runs on the GUI thread in order and before `finished`, one
// job at a time, stop() reaches the job, and destroying a running job stops it, waits, and drops
// what it posts afterwards.

#include "background_job.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>

using wb::RunControl;
using wb::session::BackgroundJob;

class TestBackgroundJob : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void postsRunOnTheGuiThreadBeforeFinished()
    {
        BackgroundJob job;
        QSignalSpy finished(&job, &BackgroundJob::finished);
        std::vector<int> seen;
        QThread* worker = nullptr;
        bool allOnGui = true;
        QVERIFY(job.start([&](RunControl&, const BackgroundJob::Post& post) {
            worker = QThread::currentThread();
            for (int i = 0; i < 5; ++i)
                post([&, i] {
                    allOnGui = allOnGui && QThread::currentThread() == qApp->thread();
                    seen.push_back(i);
                });
        }));
        QVERIFY(job.isRunning());
        QVERIFY(finished.wait(5000));
        QVERIFY(!job.isRunning());
        QVERIFY(worker && worker != qApp->thread());
        QVERIFY(allOnGui);
        QCOMPARE(seen, (std::vector<int>{0, 1, 2, 3, 4}));
    }

    void oneJobAtATimeAndStopReachesIt()
    {
        BackgroundJob job;
        QSignalSpy finished(&job, &BackgroundJob::finished);
        std::atomic<bool> sawStop{false};
        QVERIFY(job.start([&](RunControl& control, const BackgroundJob::Post&) {
            while (!control.stopRequested())
                QThread::msleep(2);
            sawStop = true;
        }));
        QVERIFY(!job.start([](RunControl&, const BackgroundJob::Post&) {}));
        job.stop();
        QVERIFY(finished.wait(5000));
        QVERIFY(sawStop);
        // A finished job makes room for the next, with a fresh RunControl.
        bool stoppedAtStart = true;
        QVERIFY(job.start([&](RunControl& control, const BackgroundJob::Post&) {
            stoppedAtStart = control.stopRequested();
        }));
        QVERIFY(finished.wait(5000));
        QVERIFY(!stoppedAtStart);
    }

    void destroyingARunningJobStopsItAndDropsItsPosts()
    {
        auto ran = std::make_shared<std::atomic<bool>>(false);
        auto ended = std::make_shared<std::atomic<bool>>(false);
        {
            BackgroundJob job;
            QVERIFY(job.start([ran, ended](RunControl& control, const BackgroundJob::Post& post) {
                while (!control.stopRequested())
                    QThread::msleep(2);
                post([ran] { *ran = true; });
                *ended = true;
            }));
            QThread::msleep(20);
        } // the destructor asks the job to stop and waits for it
        QVERIFY(*ended);
        QCoreApplication::processEvents();
        QVERIFY(!*ran);
    }
};

QTEST_GUILESS_MAIN(TestBackgroundJob)
#include "test_background_job.moc"
