// The workbench's workspace watcher on a SQLite file: a listing on open, re-listings that emit
// only when something changed, the newest listing winning, the poll timer picking up another
// process's run, and a workspace that cannot be read reported as such.

#include "workspace_watcher.h"

#include "wb/store/run_store.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using wb::session::WorkspaceSnapshot;
using wb::session::WorkspaceWatcher;

namespace {

void addRun(const QString& db)
{
    auto store = wb::store::RunStore::open(db.toStdString());
    store.createRun({"search", "{}", 0, "/data", "t", "t", "", ""});
}

} // namespace

class TestWorkspaceWatcher : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void listsOnOpenAndOnlyChangesAfter()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("ws.sqlite"));
        addRun(db);
        WorkspaceWatcher watcher;
        watcher.setPollInterval(3600 * 1000); // polls only when told
        QSignalSpy started(&watcher, &WorkspaceWatcher::listingStarted);
        QSignalSpy listed(&watcher, &WorkspaceWatcher::listed);
        watcher.watch(db);
        QCOMPARE(started.count(), 1);
        QVERIFY(watcher.isListing());
        QVERIFY(listed.wait(5000));
        QCOMPARE(listed.at(0).at(1).toBool(), false);
        QCOMPARE(watcher.snapshot()->runs.size(), std::size_t(1));

        watcher.poll(); // nothing changed: no signal
        QTRY_VERIFY(!watcher.isBusy());
        QCOMPARE(listed.count(), 1);

        addRun(db);
        watcher.poll();
        QVERIFY(listed.wait(5000));
        QCOMPARE(listed.at(1).at(1).toBool(), true);
        const auto previous = listed.at(1).at(0).value<std::shared_ptr<const WorkspaceSnapshot>>();
        QCOMPARE(previous->runs.size(), std::size_t(1));
        QCOMPARE(watcher.snapshot()->runs.size(), std::size_t(2));
        QCOMPARE(started.count(), 1); // polls are not announced
    }

    void theNewestListingWins()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("ws.sqlite"));
        addRun(db);
        WorkspaceWatcher watcher;
        watcher.setPollInterval(3600 * 1000);
        QSignalSpy listed(&watcher, &WorkspaceWatcher::listed);
        watcher.watch(db);
        watcher.reload();
        watcher.reload();
        watcher.poll(); // skipped: a listing is in flight
        QTRY_VERIFY(!watcher.isBusy());
        QTest::qWait(200); // superseded listings would have arrived by now
        QCOMPARE(listed.count(), 1);
    }

    void thePollTimerFindsAnotherProcesssRun()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("ws.sqlite"));
        addRun(db);
        WorkspaceWatcher watcher;
        QCOMPARE(watcher.pollInterval(), WorkspaceWatcher::kPollMs); // a file is polled
        QSignalSpy listed(&watcher, &WorkspaceWatcher::listed);
        watcher.watch(db);
        QVERIFY(listed.wait(5000));
        watcher.setPollInterval(50);
        addRun(db);
        QVERIFY(listed.wait(5000));
        QCOMPARE(watcher.snapshot()->runs.size(), std::size_t(2));
    }

    void anUnreadableWorkspaceIsReported()
    {
        QTemporaryDir dir;
        WorkspaceWatcher watcher;
        QSignalSpy failed(&watcher, &WorkspaceWatcher::listingFailed);
        QSignalSpy listed(&watcher, &WorkspaceWatcher::listed);
        watcher.watch(dir.filePath(QStringLiteral("missing.sqlite")));
        QVERIFY(failed.wait(5000));
        QVERIFY(failed.at(0).at(0).toString().contains(QStringLiteral("missing.sqlite")));
        QCOMPARE(listed.count(), 0);
        QVERIFY(watcher.snapshot()->runs.empty());
        QVERIFY(!watcher.isBusy());
    }
};

QTEST_GUILESS_MAIN(TestWorkspaceWatcher)
#include "test_workspace_watcher.moc"
