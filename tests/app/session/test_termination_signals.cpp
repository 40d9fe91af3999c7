// SIGTERM and SIGINT reach the event loop as TerminationSignals::received (issue 14), and the
// handlers are restored afterwards.

#include "termination_signals.h"

#include <csignal>

#include <QSignalSpy>
#include <QTest>

class TestTerminationSignals : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void deliversSignalsToTheEventLoop()
    {
        wb::session::TerminationSignals termination;
        QSignalSpy spy(&termination, &wb::session::TerminationSignals::received);
        QVERIFY(std::raise(SIGTERM) == 0);
        QVERIFY(spy.wait(5000));
        QCOMPARE(spy.takeFirst().at(0).toInt(), int(SIGTERM));
        QVERIFY(std::raise(SIGINT) == 0);
        QVERIFY(spy.wait(5000));
        QCOMPARE(spy.takeFirst().at(0).toInt(), int(SIGINT));
    }

    void restoresThePreviousHandler()
    {
        struct sigaction before = {};
        sigaction(SIGTERM, nullptr, &before);
        {
            wb::session::TerminationSignals termination;
            struct sigaction during = {};
            sigaction(SIGTERM, nullptr, &during);
            QVERIFY(during.sa_handler != before.sa_handler);
        }
        struct sigaction after = {};
        sigaction(SIGTERM, nullptr, &after);
        QVERIFY(after.sa_handler == before.sa_handler);
    }
};

QTEST_GUILESS_MAIN(TestTerminationSignals)
#include "test_termination_signals.moc"
