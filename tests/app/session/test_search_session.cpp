#include "search_session.h"

#include "wb/common/error.h"

#include <atomic>
#include <chrono>
#include <thread>

#include <QSignalSpy>
#include <QTest>

using wb::RunControl;
using wb::RunStatus;
using wb::darts::RunObserver;
using wb::darts::SearchResult;
using wb::session::SearchSession;

namespace {

// A job that behaves like the search loop: a step per checkpoint until stopped or done.
SearchSession::Runner fakeRunner(int steps, std::atomic<int>* done = nullptr, int sleepMs = 2)
{
    return [=](RunControl& control, RunObserver& observer) {
        SearchResult result;
        for (int s = 1; s <= steps; ++s) {
            if (!control.checkpoint()) {
                result.status = RunStatus::Cancelled;
                return result;
            }
            wb::darts::StepMetrics m;
            m.epoch = 1;
            m.step = s;
            m.stepsPerEpoch = steps;
            m.trainLoss = 1.0 / s;
            observer.onStep(m);
            if (s % 10 == 0) {
                wb::darts::EpochMetrics e;
                e.epoch = s / 10;
                observer.onEpoch(e);
            }
            if (done) done->store(s);
            std::this_thread::sleep_for(std::chrono::milliseconds(sleepMs));
        }
        result.status = RunStatus::Done;
        return result;
    };
}

} // namespace

class TestSearchSession : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void runsToTheEndAndQueuesProgress()
    {
        SearchSession session;
        QSignalSpy progress(&session, &SearchSession::progressAvailable);
        QSignalSpy finished(&session, &SearchSession::finished);
        QSignalSpy failed(&session, &SearchSession::failed);
        QVERIFY(session.start(fakeRunner(40)));
        QVERIFY(session.isRunning());
        QVERIFY(!session.start(fakeRunner(1))); // one job at a time

        int steps = 0;
        int epochs = 0;
        // Drain like the GUI's timer does; every sample arrives exactly once.
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        const auto rest = session.drain();
        steps += int(rest.steps.size());
        epochs += int(rest.epochs.size());
        QCOMPARE(steps, 40);
        QCOMPARE(epochs, 4);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(finished.at(0).at(0).toInt(), int(RunStatus::Done));
        QVERIFY(!session.isRunning());
        // Not one signal per sample: nobody drained, so only the first push signalled.
        QCOMPARE(progress.count(), 1);
    }

    void signalsAgainAfterADrain()
    {
        SearchSession session;
        QSignalSpy progress(&session, &SearchSession::progressAvailable);
        QSignalSpy finished(&session, &SearchSession::finished);
        QVERIFY(session.start(fakeRunner(30, nullptr, 5)));
        int steps = 0;
        while (finished.isEmpty()) {
            QTest::qWait(30);
            steps += int(session.drain().steps.size());
        }
        steps += int(session.drain().steps.size());
        QCOMPARE(steps, 30);
        QVERIFY(progress.count() >= 2);
        QVERIFY(progress.count() <= 30);
    }

    void stopEndsTheJobAsCancelled()
    {
        SearchSession session;
        QSignalSpy finished(&session, &SearchSession::finished);
        std::atomic<int> done{0};
        QVERIFY(session.start(fakeRunner(100000, &done)));
        QTRY_VERIFY(done.load() > 3);
        session.pause();
        QVERIFY(session.isPaused());
        const int atPause = done.load();
        QTest::qWait(50);
        QVERIFY(done.load() <= atPause + 1); // at most the step in flight
        session.stop();                      // wakes the paused job
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QCOMPARE(finished.at(0).at(0).toInt(), int(RunStatus::Cancelled));
        QCOMPARE(session.result().status, RunStatus::Cancelled);

        // The session can run another job afterwards.
        QVERIFY(session.start(fakeRunner(3)));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 10000);
        QCOMPARE(finished.at(1).at(0).toInt(), int(RunStatus::Done));
    }

    void exceptionBecomesFailed()
    {
        SearchSession session;
        QSignalSpy failed(&session, &SearchSession::failed);
        QSignalSpy finished(&session, &SearchSession::finished);
        QVERIFY(session.start([](RunControl&, RunObserver&) -> SearchResult {
            throw wb::Error("data/train.idx: truncated header");
        }));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QCOMPARE(failed.count(), 1);
        QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("data/train.idx: truncated header"));
        QCOMPARE(finished.at(0).at(0).toInt(), int(RunStatus::Failed));

        QVERIFY(session.start([](RunControl&, RunObserver&) -> SearchResult { throw 42; }));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 10000);
        QCOMPARE(failed.count(), 2);
    }

    void failedResultBecomesFailed()
    {
        SearchSession session;
        QSignalSpy failed(&session, &SearchSession::failed);
        QVERIFY(session.start([](RunControl&, RunObserver&) {
            SearchResult r;
            r.status = RunStatus::Failed;
            r.error = "--channels: must be positive";
            return r;
        }));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
        QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("--channels: must be positive"));
    }

    void destroyingMidRunJoins()
    {
        std::atomic<int> done{0};
        std::atomic<bool> returned{false};
        {
            SearchSession session;
            QVERIFY(session.start([&](RunControl& control, RunObserver& observer) {
                auto r = fakeRunner(1000000, &done)(control, observer);
                returned = true;
                return r;
            }));
            QTRY_VERIFY(done.load() > 2);
            session.pause(); // even a paused job must be woken and joined
        }
        // The destructor returned only after the job did.
        QVERIFY(returned.load());
    }
};

QTEST_GUILESS_MAIN(TestSearchSession)
#include "test_search_session.moc"
