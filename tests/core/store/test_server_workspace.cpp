// What only a PostgreSQL workspace does: its schema changes only through RunStore::migrate, it
// is refused unchanged when newer or foreign, a lock times out like SQLite's busy timeout, a
// password in the URI never shows, and local files go to the artifacts folder.

#include "store_fixtures.h"

#include "wb/common/error.h"
#include "wb/store/run_store.h"

#include <chrono>
#include <cstdlib>

#include <QTemporaryDir>
#include <QTest>

using namespace wb;
using namespace wb::store;
using namespace fixtures;
namespace fs = std::filesystem;

namespace {

// The message of the wb::Error that `fn` throws, or "NO ERROR".
template <class Fn> std::string errorOf(Fn&& fn)
{
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "NO ERROR";
}

bool has(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

class TestServerWorkspace : public QObject {
    Q_OBJECT

    ThrowawayPostgres* m_server = nullptr;
    int m_next = 0;

    // An empty database on the server, not migrated.
    std::string bareDatabase(const std::string& password = {})
    {
        const auto name = "bare_" + std::to_string(++m_next);
        const auto error = m_server->admin("CREATE DATABASE " + name);
        if (!error.empty()) qFatal("%s", error.c_str());
        return m_server->uri(name, password);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = ThrowawayPostgres::instance();
        if (!m_server) QSKIP(("no PostgreSQL server: " + ThrowawayPostgres::reason()).c_str());
    }

    void schemaChangesOnlyThroughMigrate()
    {
        const auto uri = bareDatabase();
        const auto refused = errorOf([&] { RunStore::open(uri); });
        QVERIFY2(has(refused, "schema 0") && has(refused, "supernet workspace migrate --db"),
                 refused.c_str());
        QVERIFY(has(errorOf([&] { RunStore::openReadOnly(uri); }), "supernet workspace migrate"));
        QCOMPARE(RawDb(uri).text("SELECT to_regclass('runs')::text"), std::string());

        const auto migrated = RunStore::migrate(uri);
        QCOMPARE(migrated.from, 0);
        QCOMPARE(migrated.to, kSchemaVersion);
        RawDb raw(uri);
        QCOMPARE(raw.scalar("SELECT version FROM workbench_schema"), std::int64_t(kSchemaVersion));
        for (const char* table : {"runs", "epochs", "steps", "alphas", "collapse_signals",
                                  "issues", "checkpoints", "datasets", "distances", "zoo",
                                  "transfers", "experiments", "experiment_cells"})
            QVERIFY2(raw.scalar(std::string("SELECT count(*) FROM information_schema.tables "
                                            "WHERE table_name = '") +
                                table + "'") == 1,
                     table);
        const auto again = RunStore::migrate(uri);
        QCOMPARE(again.from, kSchemaVersion);
        QCOMPARE(again.to, kSchemaVersion);

        auto store = RunStore::open(uri);
        QVERIFY(store.onServer());
        QCOMPARE(store.schemaVersion(), kSchemaVersion);
        QCOMPARE(store.createRun(sampleRun()), std::int64_t(1));
        QCOMPARE(RunStore::openReadOnly(uri).listRuns().size(), std::size_t(1));

        // An older schema is refused too (SQLite would migrate it on open).
        QCOMPARE(raw.exec("UPDATE workbench_schema SET version = 3"), 0);
        const auto older = errorOf([&] { RunStore::open(uri); });
        QVERIFY2(has(older, "schema 3") && has(older, "workspace migrate"), older.c_str());
        QCOMPARE(raw.exec("UPDATE workbench_schema SET version = " +
                          std::to_string(kSchemaVersion)),
                 0);
    }

    void refusesANewerSchemaUnchanged()
    {
        const auto uri = bareDatabase();
        RunStore::migrate(uri);
        RawDb raw(uri);
        QCOMPARE(raw.exec("UPDATE workbench_schema SET version = 99"), 0);
        for (const auto& message : {errorOf([&] { RunStore::open(uri); }),
                                    errorOf([&] { RunStore::migrate(uri); }),
                                    errorOf([&] { RunStore::openReadOnly(uri); })})
            QVERIFY2(has(message, "newer") && has(message, "99") && has(message, "not modified"),
                     message.c_str());
        QCOMPARE(raw.scalar("SELECT version FROM workbench_schema"), std::int64_t(99));
    }

    void refusesAnotherProgramsDatabaseUnchanged()
    {
        const auto uri = bareDatabase();
        QCOMPARE(RawDb(uri).exec("CREATE TABLE contacts (name TEXT)"), 0);
        for (const auto& message :
             {errorOf([&] { RunStore::open(uri); }), errorOf([&] { RunStore::migrate(uri); })})
            QVERIFY2(has(message, "another program") && has(message, "PostgreSQL"),
                     message.c_str());
        QCOMPARE(RawDb(uri).scalar("SELECT count(*) FROM information_schema.tables WHERE "
                                   "table_schema = 'public'"),
                 std::int64_t(1));
    }

    void lockTimesOutWithAClearError()
    {
        const auto uri = bareDatabase();
        RunStore::migrate(uri);
        RunStore::Options options;
        options.busyTimeoutMs = 300;
        auto store = RunStore::open(uri, options);
        const auto id = store.createRun(sampleRun());
        store.recordEpoch(id, sampleEpoch(1));

        RawDb other(uri);
        QCOMPARE(other.exec("BEGIN; LOCK TABLE epochs IN EXCLUSIVE MODE"), 0);
        const auto start = std::chrono::steady_clock::now();
        const auto message = errorOf([&] { store.recordEpoch(id, sampleEpoch(2)); });
        const auto waited = std::chrono::steady_clock::now() - start;
        QVERIFY2(has(message, "locked") && has(message, "postgresql://"), message.c_str());
        QVERIFY(waited >= std::chrono::milliseconds(250)); // lock_timeout was honoured
        QCOMPARE(store.epochs(id).size(), std::size_t(1)); // readers still work
        QCOMPARE(other.exec("COMMIT"), 0);
        store.recordEpoch(id, sampleEpoch(2));
        QCOMPARE(store.epochs(id).size(), std::size_t(2));
    }

    void passwordNeverShows()
    {
        const std::string secret = "s3cret-Pw";
        const auto missing = m_server->uri("no_such_db", secret);
        for (const auto& message : {errorOf([&] { RunStore::open(missing); }),
                                    errorOf([&] { RunStore::migrate(missing); }),
                                    errorOf([&] { RunStore::openReadOnly(missing); })}) {
            QVERIFY2(!has(message, secret), message.c_str());
            QVERIFY2(has(message, "wb:***@") && has(message, "cannot connect"), message.c_str());
        }
        // The throwaway server trusts its socket, so the password is accepted and ignored.
        const auto uri = bareDatabase(secret);
        const auto migrated = RunStore::migrate(uri);
        QCOMPARE(migrated.to, kSchemaVersion);
        auto store = RunStore::open(uri);
        QVERIFY2(!has(store.path(), secret) && has(store.path(), "***"), store.path().c_str());
        const auto id = store.createRun(sampleRun());
        QVERIFY(!has(store.run(id).directory, secret));
        QVERIFY(!has(errorOf([&] { store.run(99); }), secret));
    }

    void artifactsGoToTheirOwnFolder()
    {
        QTemporaryDir dir;
        const auto uri = bareDatabase();
        RunStore::migrate(uri);
        const auto folder = dir.path().toStdString();
        setenv("SUPERNET_ARTIFACTS", (folder + "/chosen").c_str(), 1);
        {
            auto store = RunStore::open(uri);
            QCOMPARE(q(store.artifactsDirectory()), q(folder + "/chosen"));
            const auto id = store.createRun(sampleRun());
            QCOMPARE(q(store.run(id).directory), q(folder + "/chosen/runs/" + std::to_string(id)));
        }
        unsetenv("SUPERNET_ARTIFACTS");
        setenv("XDG_DATA_HOME", folder.c_str(), 1);
        auto store = RunStore::open(uri);
        const auto dbName = uri.substr(uri.find("@/") + 2, uri.find('?') - uri.find("@/") - 2);
        const auto expected = folder + "/supernet-workbench/artifacts/" + dbName + "@";
        QVERIFY2(store.artifactsDirectory().rfind(expected, 0) == 0,
                 store.artifactsDirectory().c_str());
        QVERIFY(store.artifactsDirectory().find('/', expected.size()) == std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestServerWorkspace)
#include "test_server_workspace.moc"
