// The workbench's change listener: on a PostgreSQL workspace a write committed by another
// process arrives as changed(); a SQLite workspace cannot be watched (the workbench polls).

#include "throwaway_postgres.h"
#include "workspace_listener.h"

#include "wb/store/run_store.h"

#include <QSignalSpy>
#include <QTest>

class TestWorkspaceListener : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sqliteIsPolled()
    {
        wb::session::WorkspaceListener listener;
        QVERIFY(!listener.watch(QStringLiteral("/tmp/workspace.sqlite")));
    }

    void serverWritesArriveAsChanged()
    {
        auto* server = fixtures::ThrowawayPostgres::instance();
        if (!server)
            QSKIP(("no PostgreSQL server: " + fixtures::ThrowawayPostgres::reason()).c_str());
        QCOMPARE(QString::fromStdString(server->admin("CREATE DATABASE listened")), QString());
        const auto uri = server->uri("listened");
        wb::store::RunStore::migrate(uri);
        wb::session::WorkspaceListener listener;
        QSignalSpy changed(&listener, &wb::session::WorkspaceListener::changed);
        QSignalSpy lost(&listener, &wb::session::WorkspaceListener::lost);
        QVERIFY(listener.watch(QString::fromStdString(uri)));
        QTest::qWait(300); // listening
        QCOMPARE(changed.count(), 0);
        auto store = wb::store::RunStore::open(uri);
        store.createRun({"search", "{}", 0, "/data", "t", "t", "", ""});
        QVERIFY(changed.wait(5000));
        QCOMPARE(lost.count(), 0);
        listener.stop();
    }
};

QTEST_GUILESS_MAIN(TestWorkspaceListener)
#include "test_workspace_listener.moc"
