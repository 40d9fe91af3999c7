// What only a PostgreSQL workspace does: its schema changes only through RunStore::migrate, it
// is refused unchanged when newer or foreign, a lock times out like SQLite's busy timeout, a
// password in the URI never shows, and local files go to the artifacts folder.

#include "store_fixtures.h"

#include "wb/common/error.h"
#include "wb/common/sha256.h"
#include "wb/store/change_listener.h"
#include "wb/store/run_store.h"
#include "wb/store/workspace_copy.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <thread>

#include <sys/stat.h>

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

// Every row of a SQLite table, each value with its storage class (REAL to 17 digits, BLOB in
// hex), sorted: two files compare equal exactly when they hold the same values.
std::vector<std::string> sqliteRows(const std::string& file, const std::string& table)
{
    sqlite3* db = nullptr;
    sqlite3_open(file.c_str(), &db);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, ("SELECT * FROM " + table).c_str(), -1, &s, nullptr);
    std::vector<std::string> rows;
    while (sqlite3_step(s) == SQLITE_ROW) {
        std::string row;
        for (int c = 0; c < sqlite3_column_count(s); ++c) {
            char buffer[64];
            switch (sqlite3_column_type(s, c)) {
            case SQLITE_INTEGER:
                row += 'i';
                row += std::to_string(sqlite3_column_int64(s, c));
                break;
            case SQLITE_FLOAT:
                std::snprintf(buffer, sizeof buffer, "r%.17g", sqlite3_column_double(s, c));
                row += buffer;
                break;
            case SQLITE_TEXT:
                row += 't';
                row += reinterpret_cast<const char*>(sqlite3_column_text(s, c));
                break;
            case SQLITE_BLOB: {
                const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(s, c));
                row += "b";
                for (int i = 0; i < sqlite3_column_bytes(s, c); ++i) {
                    std::snprintf(buffer, sizeof buffer, "%02x", p[i]);
                    row += buffer;
                }
                break;
            }
            default:
                row += "null";
            }
            row += "|";
        }
        rows.push_back(row);
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    std::sort(rows.begin(), rows.end());
    return rows;
}

// A workspace with a row in every table, NaN metrics and an experiment whose cell order is not
// the order of its keys.
void fillWorkspace(RunStore& db)
{
    const auto a = db.createRun(sampleRun());
    const auto b = db.createRun(sampleRun());
    for (auto run : {a, b}) {
        db.recordDataset(run, sampleDataset());
        auto e1 = sampleEpoch(1);
        e1.valLoss = std::numeric_limits<double>::quiet_NaN();
        db.recordEpoch(run, e1);
        db.recordEpoch(run, sampleEpoch(2));
        db.recordSteps(run, {sampleStep(1, 1), sampleStep(1, 2), sampleStep(2, 1)});
        db.recordAlphas(run, sampleAlphas(1));
        db.recordAlphas(run, sampleAlphas(2));
        db.recordIssue(run, {wb::Severity::Warning, "collapse.skip", "3 skips", 2});
        db.recordCheckpoint(run, {2, "/ckpt/" + std::to_string(run) + ".pt", "ab", 0.25, true});
    }
    // More steps than one page of the copy (5000 rows) and than one multi-row INSERT.
    std::vector<darts::StepMetrics> many;
    for (int s = 1; s <= 12000; ++s)
        many.push_back(sampleStep(3 + s / 1000, s));
    db.recordSteps(a, many);
    db.finishRun(a, wb::RunStatus::Done);
    db.addTag(a, "baseline");
    ZooEntry entry;
    entry.name = "fsh";
    entry.runId = a;
    entry.sources = {{"FSH", "/data/fsh", std::string(64, 'a'), 10, 1, 28}};
    entry.searchConfigJson = "{}";
    entry.checkpoint = "/ckpt/1.pt";
    entry.checkpointSha256 = "ab";
    entry.valAcc = 0.5;
    const auto zooId = db.addZooEntry(entry);
    db.recordTransfer({b, zooId, "fsh", "auto", 1.25, R"([{"zoo_id": 1}])"});
    db.putDistance({std::string(64, 'b'), std::string(64, 'a'), "{}", R"({"inner":"exact"})"},
                   {std::numeric_limits<double>::quiet_NaN(), 7, 1e-9, false, "{}", 0});
    db.putDistance({"c", "d", "{}", "{}"}, {3.5, 10, 0.5, true, R"({"x":1})", 0});
    const auto ex = db.createExperiment(R"({"targets":["/t"]})", "/out");
    for (const auto* arm : {"scratch", "ot", "random"})
        db.putExperimentCell(
            ex, {"/t", 0, arm, CellState::Done, b, std::nullopt, zooId, "fsh", 1.25, 0.5, 3.0, ""});
    db.setExperimentStatus(ex, "done");
    NewJob job{"search", R"({"config":{}})", "cpu", {}, 3, ex};
    const auto first = db.enqueueJob(job);
    job.waitFor = {first};
    db.enqueueJob(job);
    const auto claimed = db.claimJob("w1", {"cpu"}, 60);
    db.setJobRun({claimed->id, claimed->attempt}, a);
    db.finishJob({claimed->id, claimed->attempt}, false, "first try failed");
    db.recordWorker({"w1", "host", 7, "cpu", "idle", std::nullopt, 1.0, 2.0});
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
        for (const char* table :
             {"runs", "epochs", "steps", "alphas", "collapse_signals", "issues", "checkpoints",
              "datasets", "distances", "zoo", "transfers", "experiments", "experiment_cells"})
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
        QCOMPARE(
            raw.exec("UPDATE workbench_schema SET version = " + std::to_string(kSchemaVersion)), 0);
    }

    void concurrentMigrationsBothSucceedOnce()
    {
        const auto uri = bareDatabase();
        std::string errors[2];
        RunStore::Migrated results[2];
        std::thread other([&] {
            try {
                results[1] = RunStore::migrate(uri);
            } catch (const std::exception& e) {
                errors[1] = e.what();
            }
        });
        try {
            results[0] = RunStore::migrate(uri);
        } catch (const std::exception& e) {
            errors[0] = e.what();
        }
        other.join();
        for (int i = 0; i < 2; ++i) {
            QVERIFY2(errors[i].empty(), errors[i].c_str());
            QCOMPARE(results[i].to, kSchemaVersion);
        }
        QCOMPARE(RawDb(uri).scalar("SELECT count(*) FROM workbench_schema"), std::int64_t(1));
        QCOMPARE(RunStore::open(uri).createRun(sampleRun()), std::int64_t(1));
    }

    // Checkpoints live in the database too: stored in 1 MiB chunks with their checksum, fetched
    // into this machine's run folder when the written file is not here, dropped with the last
    // reference.
    void checkpointsLiveInTheDatabase()
    {
        const auto uri = bareDatabase();
        RunStore::migrate(uri);
        auto db = RunStore::open(uri);
        const auto run = db.createRun(sampleRun());
        QTemporaryDir elsewhere; // the writing machine's folder
        const auto first = elsewhere.filePath("epoch-0001.pt").toStdString();
        std::string bytes(2'500'000, '\0');
        for (std::size_t i = 0; i < bytes.size(); ++i)
            bytes[i] = char((i * 2654435761u) >> 13);
        writeBytes(first, bytes);
        darts::CheckpointInfo c{1, first, wb::fileSha256(first), 0.5, true};
        QVERIFY(db.recordCheckpoint(run, c).empty());
        RawDb raw(uri);
        QCOMPARE(raw.scalar("SELECT bytes FROM run_files"), std::int64_t(bytes.size()));
        QCOMPARE(raw.scalar("SELECT count(*) FROM run_file_chunks"), std::int64_t(3));

        QCOMPARE(db.localRunFile(run, first), first); // here: used as it is
        fs::remove(first);
        const auto fetched = db.localRunFile(run, first);
        QCOMPARE(fs::path(fetched), fs::path(db.runDirectory(run)) / "epoch-0001.pt");
        QCOMPARE(readBytes(fetched), bytes);
        QVERIFY(db.localRunFile(run, elsewhere.filePath("epoch-0009.pt").toStdString()).empty());

        // Epoch 2 replaces `last` and `best`: epoch 1's file and its copy go.
        const auto second = elsewhere.filePath("epoch-0002.pt").toStdString();
        writeBytes(second, "small");
        const auto stale = db.recordCheckpoint(run, {2, second, wb::fileSha256(second), 0.6, true});
        QCOMPARE(int(stale.size()), 1);
        QCOMPARE(raw.scalar("SELECT count(*) FROM run_files"), std::int64_t(1));
        QCOMPARE(raw.scalar("SELECT count(*) FROM run_file_chunks"), std::int64_t(1));

        // Copies are uploaded under a staging name, chunk by chunk, then renamed. One left by a
        // process that died mid-upload over an hour ago is dropped by the next checkpoint; a
        // recent one (an upload under way elsewhere) stays.
        const auto staged = [&](const std::string& name, const std::string& at) {
            QCOMPARE(raw.exec("INSERT INTO run_files (run_id, name, sha256, bytes, stored_at) "
                              "VALUES (" + std::to_string(run) + ", '" + name + "', '', 4, " +
                              at + ")"),
                     0);
            QCOMPARE(raw.exec("INSERT INTO run_file_chunks (run_id, name, chunk, data) VALUES (" +
                              std::to_string(run) + ", '" + name + "', 0, 'abcd')"),
                     0);
        };
        staged(".upload-gone-1-epoch-0001.pt", "0");
        staged(".upload-busy-2-epoch-0001.pt", "extract(epoch from now())");
        const auto third = elsewhere.filePath("epoch-0003.pt").toStdString();
        writeBytes(third, "three");
        QCOMPARE(int(db.recordCheckpoint(run, {3, third, wb::fileSha256(third), 0.4, false})
                         .size()),
                 0);
        QCOMPARE(raw.text("SELECT string_agg(name, ',' ORDER BY name) FROM run_files"),
                 std::string(".upload-busy-2-epoch-0001.pt,epoch-0002.pt,epoch-0003.pt"));
        QCOMPARE(raw.scalar("SELECT count(*) FROM run_file_chunks"), std::int64_t(3));
        QCOMPARE(readBytes(db.localRunFile(run, third)), std::string("three"));

        // A corrupt copy is refused, not written as the checkpoint.
        fs::remove(second);
        raw.exec("UPDATE run_files SET sha256 = 'bad'");
        fs::remove(fs::path(db.runDirectory(run)) / "epoch-0002.pt");
        QVERIFY_THROWS_EXCEPTION(wb::Error, db.localRunFile(run, second));
        QVERIFY(!fs::exists(fs::path(db.runDirectory(run)) / "epoch-0002.pt"));
    }

    // Files shared by name (the embedding cache's entries): a round trip through the database
    // in chunks; a damaged copy is not written; a SQLite file shares its folder instead.
    void sharedFilesRoundTrip()
    {
        QTemporaryDir dir;
        const auto uri = bareDatabase();
        RunStore::migrate(uri);
        auto db = RunStore::open(uri);
        const auto file = dir.filePath("a.pt").toStdString();
        std::string bytes(1'300'000, '\0');
        for (std::size_t i = 0; i < bytes.size(); ++i)
            bytes[i] = char((i * 40503u) >> 7);
        writeBytes(file, bytes);
        QVERIFY(!db.fetchSharedFile("embeddings/a.pt", dir.filePath("none.pt").toStdString()));
        db.storeSharedFile("embeddings/a.pt", file);
        db.storeSharedFile("embeddings/a.pt", file); // replaces, no duplicate chunks
        RawDb raw(uri);
        QCOMPARE(raw.scalar("SELECT count(*) FROM cache_file_chunks"), std::int64_t(2));
        const auto copy = dir.filePath("sub/copy.pt").toStdString();
        QVERIFY(db.fetchSharedFile("embeddings/a.pt", copy));
        QCOMPARE(readBytes(copy), bytes);
        QCOMPARE(raw.exec("UPDATE cache_file_chunks SET data = 'x' WHERE chunk = 1"), 0);
        const auto damaged = dir.filePath("damaged.pt").toStdString();
        QVERIFY(!db.fetchSharedFile("embeddings/a.pt", damaged));
        QVERIFY(!fs::exists(damaged) && !fs::exists(damaged + ".part"));

        auto local = RunStore::open(dir.filePath("ws.sqlite").toStdString());
        local.storeSharedFile("embeddings/a.pt", file);
        QVERIFY(!local.fetchSharedFile("embeddings/a.pt", copy + "2"));
        QCOMPARE(RawDb(dir.filePath("ws.sqlite").toStdString())
                     .scalar("SELECT count(*) FROM cache_files"),
                 std::int64_t(0));
    }

    // LISTEN/NOTIFY: a listener hears of a write committed by another connection, only once it
    // commits; a SQLite file has no listener.
    void listenerHearsCommittedWrites()
    {
        const auto uri = bareDatabase();
        RunStore::migrate(uri);
        QVERIFY(!ChangeListener::open("/tmp/some.sqlite"));
        auto listener = ChangeListener::open(uri);
        QVERIFY(listener);
        QVERIFY(!listener->wait(0.05)); // nothing written yet
        auto writer = RunStore::open(uri);
        writer.transaction([&] {
            writer.createRun(sampleRun());
            QVERIFY(!listener->wait(0.1)); // not committed yet
        });
        QVERIFY(listener->wait(5));
        QVERIFY(!listener->wait(0.05)); // consumed
        writer.createRun(sampleRun());
        writer.createRun(sampleRun());
        QVERIFY(listener->wait(5));
    }

    void refusesANewerSchemaUnchanged()
    {
        const auto uri = bareDatabase();
        RunStore::migrate(uri);
        RawDb raw(uri);
        QCOMPARE(raw.exec("UPDATE workbench_schema SET version = 99"), 0);
        for (const auto& message :
             {errorOf([&] { RunStore::open(uri); }), errorOf([&] { RunStore::migrate(uri); }),
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

        // Writers take turns, as on SQLite: another writer's open transaction (holding the
        // advisory lock "WBWS") holds the store.
        auto writer = RunStore::open(uri, options);
        QCOMPARE(other.exec("BEGIN; SELECT pg_advisory_xact_lock(1463965523)"), 0);
        const auto busy = errorOf([&] {
            writer.recordIssue(id, {wb::Severity::Info, "a", "b", 1});
        });
        QVERIFY2(has(busy, "locked"), busy.c_str());
        QCOMPARE(other.exec("ROLLBACK"), 0);
        writer.recordIssue(id, {wb::Severity::Info, "a", "b", 1});
        QCOMPARE(store.issues(id).size(), std::size_t(1));
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
        // libpq quotes the token it cannot decode; the message must not.
        const auto badEscape = m_server->uri("x", "pa%zzss");
        const auto undecodable = errorOf([&] { RunStore::open(badEscape); });
        QVERIFY2(!has(undecodable, "pa%zz") && has(undecodable, "cannot connect"),
                 undecodable.c_str());
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

    void copyRoundTripsBetweenBackends()
    {
        QTemporaryDir dir;
        const auto original = dbPath(dir, "a.sqlite");
        const auto back = dbPath(dir, "b.sqlite");
        {
            auto db = RunStore::open(original);
            fillWorkspace(db);
        }
        // A checkpoint copy as a server workspace keeps it (a file that went SQLite -> server ->
        // SQLite); SQLite files never write these themselves.
        RawDb(original).exec(
            "INSERT INTO run_files VALUES (1, 'epoch-0001.pt', 'ab', 3, 1.0); "
            "INSERT INTO run_file_chunks VALUES (1, 'epoch-0001.pt', 0, x'010203'); "
            "INSERT INTO cache_files VALUES ('embeddings/x.pt', 'cd', 2, 1.0); "
            "INSERT INTO cache_file_chunks VALUES ('embeddings/x.pt', 0, x'0405')");
        const auto server = bareDatabase();
        const auto there = copyWorkspace(original, server);
        const auto home = copyWorkspace(server, back);
        QCOMPARE(there.size(), std::size_t(20));
        QVERIFY(there == home);
        for (const auto& [table, rows] : there) {
            QVERIFY2(rows > 0, table.c_str());
            const auto a = sqliteRows(original, table);
            QVERIFY2(a.size() == std::size_t(rows), table.c_str());
            QVERIFY2(a == sqliteRows(back, table), table.c_str());
            QCOMPARE(RawDb(server).scalar("SELECT count(*) FROM " + table), rows);
        }

        auto pg = RunStore::open(server);
        auto sqlite = RunStore::open(original);
        QCOMPARE(pg.listRuns().size(), std::size_t(2));
        QVERIFY(std::isnan(pg.epochs(1)[0].valLoss));
        QCOMPARE(pg.epochs(1)[1].valAcc, sampleEpoch(2).valAcc);
        QVERIFY(pg.alphas(2)[1].normal == sampleAlphas(2).normal);
        QCOMPARE(q(pg.run(1).sqliteVersion), q(sqlite.run(1).sqliteVersion)); // as recorded
        QCOMPARE(pg.zoo().size(), std::size_t(1));
        QCOMPARE(*pg.transfer(2)->zooId, pg.zoo()[0].id);
        const auto cells = pg.experiment(1).cells;
        QCOMPARE(cells.size(), std::size_t(3));
        QCOMPARE(q(cells[0].arm), QString("scratch")); // insertion order, not key order
        QCOMPARE(q(cells[1].arm), QString("ot"));
        QCOMPARE(q(cells[2].arm), QString("random"));
        const auto cached = pg.findDistance(
            {std::string(64, 'a'), std::string(64, 'b'), "{}", R"({"inner":"exact"})"});
        QVERIFY(cached && std::isnan(cached->value) && cached->iterations == 7);

        // Ids continue after the copied ones on both backends.
        QCOMPARE(pg.createRun(sampleRun()), std::int64_t(3));
        QCOMPARE(pg.createExperiment("{}", "/o"), std::int64_t(2));
        QCOMPARE(RunStore::open(back).createRun(sampleRun()), std::int64_t(3));

        // Only into an empty workspace; the source stays as it was.
        const auto refused = errorOf([&] { copyWorkspace(original, server); });
        QVERIFY2(has(refused, "not empty"), refused.c_str());
        QCOMPARE(pg.listRuns().size(), std::size_t(3));
    }

    // The URI goes to libpq as given: a server on another machine is reached over TCP, and
    // sslmode is honoured (this server accepts loopback TCP only with SSL, when it has a
    // certificate).
    void tcpAndSslmodeReachTheServer()
    {
        QCOMPARE(m_server->admin("CREATE DATABASE tcpdb"), std::string());
        const auto mode = m_server->hasSsl() ? "require" : "prefer";
        const auto uri = m_server->tcpUri("tcpdb", mode);
        QCOMPARE(RunStore::migrate(uri).to, kSchemaVersion);
        {
            auto store = RunStore::open(uri);
            QCOMPARE(store.createRun(sampleRun()), std::int64_t(1));
        }
        QCOMPARE(RunStore::openReadOnly(m_server->uri("tcpdb")).listRuns().size(), std::size_t(1));
        QVERIFY2(RawDb(uri).text("SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()") ==
                     (m_server->hasSsl() ? "true" : "false"),
                 uri.c_str());
        if (!m_server->hasSsl()) QSKIP("no openssl: the SSL half is not checked");
        const auto plain = m_server->tcpUri("tcpdb", "disable");
        const auto refused = errorOf([&] { RunStore::open(plain); });
        QVERIFY2(has(refused, "cannot connect") && has(refused, "127.0.0.1") &&
                     has(refused, "no encryption"),
                 refused.c_str());
    }

    void passwordFileIsUsedAndAWrongPasswordNotShown()
    {
        QTemporaryDir dir;
        QCOMPARE(m_server->admin("CREATE ROLE pwuser LOGIN PASSWORD 'pa55-Word'"), std::string());
        QCOMPARE(m_server->admin("CREATE DATABASE pwdb OWNER pwuser"), std::string());
        const auto host = m_server->uri("pwdb").substr(m_server->uri("pwdb").find('?'));
        const auto plain = "postgresql://pwuser@/pwdb" + host;
        unsetenv("PGPASSFILE");
        const auto noPassword = errorOf([&] { RunStore::migrate(plain); });
        QVERIFY2(has(noPassword, "cannot connect") && has(noPassword, "password"),
                 noPassword.c_str());
        const auto wrong =
            errorOf([&] { RunStore::migrate("postgresql://pwuser:wr0ng-Pw@/pwdb" + host); });
        QVERIFY2(has(wrong, "cannot connect") && !has(wrong, "wr0ng-Pw"), wrong.c_str());

        const auto passFile = dir.path().toStdString() + "/pgpass";
        writeBytes(passFile, "*:*:*:pwuser:pa55-Word\n");
        QVERIFY(::chmod(passFile.c_str(), 0600) == 0); // libpq ignores a file others can read
        setenv("PGPASSFILE", passFile.c_str(), 1);
        QCOMPARE(RunStore::migrate(plain).to, kSchemaVersion);
        auto store = RunStore::open(plain);
        QCOMPARE(store.createRun(sampleRun()), std::int64_t(1));
        unsetenv("PGPASSFILE");
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
