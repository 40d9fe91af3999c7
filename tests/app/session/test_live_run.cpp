// The live run's bookkeeping: announced once its row exists, progress as a share of the whole
// search, and an ETA that extrapolates this session's pace (a resumed run starts part-way).

#include "live_run.h"

#include <QSignalSpy>
#include <QTest>

using wb::session::LiveRun;
using wb::session::SessionEvents;

namespace {

SessionEvents stepAt(int epoch, int step, int stepsPerEpoch)
{
    SessionEvents events;
    wb::darts::StepMetrics s;
    s.epoch = epoch;
    s.step = step;
    s.stepsPerEpoch = stepsPerEpoch;
    events.steps.push_back(s);
    return events;
}

} // namespace

class TestLiveRun : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fractionOfTheWholeSearch()
    {
        wb::darts::StepMetrics s;
        s.epoch = 2;
        s.step = 5;
        s.stepsPerEpoch = 10;
        QCOMPARE(LiveRun::fraction(s, 4), 1.5 / 4);
        s.epoch = 4;
        s.step = 10;
        QCOMPARE(LiveRun::fraction(s, 4), 1.0);
        s.epoch = 5; // a step past the planned epochs never shows more than done
        QCOMPARE(LiveRun::fraction(s, 4), 1.0);
    }

    void announcedOnceWhenTheRowExists()
    {
        LiveRun live;
        QSignalSpy appeared(&live, &LiveRun::appeared);
        live.begin(4, false);
        live.update({});
        QCOMPARE(appeared.count(), 0); // the worker has not created the row yet
        live.setRunId(7);
        live.update({});
        live.update({});
        QCOMPARE(appeared.count(), 1);
        QCOMPARE(appeared.at(0).at(0).toLongLong(), 7);
        QCOMPARE(appeared.at(0).at(1).toBool(), false);
    }

    void etaExtrapolatesThePaceSinceTheFirstStep()
    {
        double now = 100;
        LiveRun live(nullptr, [&now] { return now; });
        QSignalSpy progressed(&live, &LiveRun::progressed);
        live.begin(4, false);
        live.update(stepAt(1, 1, 10)); // 2.5 % done: the clock starts, no pace yet
        QVERIFY(!live.etaSeconds());
        QCOMPARE(progressed.at(0).at(0).toDouble(), 0.025);
        QCOMPARE(progressed.at(0).at(1).toString(),
                 QStringLiteral("epoch 1/4 · step 1/10 · ETA …"));
        now = 110;
        live.update(stepAt(1, 5, 10)); // 10 % more in 10 s, 87.5 % left: 87.5 s
        QCOMPARE(live.etaSeconds().value(), 87);
        QCOMPARE(progressed.at(1).at(1).toString(),
                 QStringLiteral("epoch 1/4 · step 5/10 · ETA 1:27"));
    }

    void aResumedRunIsAnnouncedAtOnceAndTimedFromWhereItResumed()
    {
        double now = 0;
        LiveRun live(nullptr, [&now] { return now; });
        QSignalSpy appeared(&live, &LiveRun::appeared);
        live.begin(4, true, 9);
        live.update(stepAt(3, 1, 10)); // 52.5 % was done before this session
        QCOMPARE(appeared.count(), 1);
        QCOMPARE(appeared.at(0).at(1).toBool(), true);
        now = 30;
        live.update(stepAt(3, 6, 10)); // 12.5 % in 30 s, 35 % left: 84 s
        QCOMPARE(live.etaSeconds().value(), 84);
    }

    void endsOnceAndIgnoresLateEvents()
    {
        LiveRun live;
        QSignalSpy ended(&live, &LiveRun::ended);
        QSignalSpy progressed(&live, &LiveRun::progressed);
        live.begin(2, false, 3);
        live.end();
        live.end();
        live.update(stepAt(1, 1, 4));
        QCOMPARE(ended.count(), 1);
        QCOMPARE(progressed.count(), 0);
        QVERIFY(!live.active());
    }
};

QTEST_GUILESS_MAIN(TestLiveRun)
#include "test_live_run.moc"
