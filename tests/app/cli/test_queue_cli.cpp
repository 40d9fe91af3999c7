// The queue end to end with real `supernet worker` processes, on a SQLite workspace and (the
// _pg registration, WB_TEST_BACKEND=postgresql) on a throwaway PostgreSQL server: two workers
// finish six experiment cells exactly once; a worker killed mid-search is taken over after its
// lease and the next one resumes the same run from its checkpoint (no epoch twice); SIGTERM gives
// the job back without counting a failure; a job whose dataset lies outside the worker's roots
// fails with every attempt's reason; cancel and retry; a queued pretraining's zoo name is checked
// when it is queued.

#include "run_supernet.h"
#include "synthetic_idx.h"
#include "throwaway_postgres.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>

class TestQueueCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const char* backend = std::getenv("WB_TEST_BACKEND");
        if (backend && std::string(backend) == "postgresql") {
            m_server = fixtures::ThrowawayPostgres::instance();
            if (!m_server)
                QSKIP(("no PostgreSQL server: " + fixtures::ThrowawayPostgres::reason()).c_str());
        }
        QVERIFY(QDir(m_dir.path()).mkpath("data/t"));
        QVERIFY(QDir(m_dir.path()).mkpath("elsewhere/u"));
        wb::test::writeSeparableIdx(path("data/t").toStdString(), 3, 12, 8, 5);
        wb::test::writeSeparableIdx(path("elsewhere/u").toStdString(), 3, 12, 8, 6);
    }

    void twoWorkersFinishEveryCellOnce()
    {
        const auto db = workspace("cells");
        auto r = wb::test::runSupernet(QStringList{"experiment", "--targets", path("data/t"),
                                                   "--arms", "scratch", "--seeds", "0,1,2,3,4,5",
                                                   "--retrain-epochs", "0", "--queue",
                                                   "--data-root", path("data"), "--json"} +
                                       tiny(db));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const int experiment = r.json["experiment_id"].toInt();
        QCOMPARE(r.json["job_ids"].toArray().size(), 6);

        QProcess a, b;
        a.start(SUPERNET_BIN, worker(db, "a", "--idle-exit", "2"));
        b.start(SUPERNET_BIN, worker(db, "b", "--idle-exit", "2"));
        QVERIFY(a.waitForFinished(240000) && b.waitForFinished(240000));
        const auto errA = QString::fromUtf8(a.readAllStandardError());
        QCOMPARE(a.exitCode(), 0);
        QCOMPARE(b.exitCode(), 0);

        r = wb::test::runSupernet({"queue", "list", "--json", "--db", db});
        const auto jobs = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QCOMPARE(jobs.size(), 6);
        QSet<int> runs;
        for (const auto& j : jobs) {
            QCOMPARE(j.toObject()["state"].toString(), QString("done"));
            QCOMPARE(j.toObject()["attempt"].toInt(), 1); // claimed once
        }
        r = wb::test::runSupernet({"experiment", "report", QString::number(experiment), "--db", db,
                                   "--json", "--out", path("tables")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json["status"].toString(), QString("done")); // settled by its last cell
        const auto cells = r.json["cells"].toArray();
        QCOMPARE(cells.size(), 6);
        for (const auto& c : cells) {
            QCOMPARE(c.toObject()["state"].toString(), QString("done"));
            runs.insert(c.toObject()["search_run_id"].toInt());
        }
        QCOMPARE(runs.size(), 6); // one search per cell
        r = wb::test::runSupernet({"runs", "list", "--json", "--db", db});
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).array().size(), 6); // and no other run
        QVERIFY(QFile::exists(path("tables/results.csv")));
        r = wb::test::runSupernet({"workers", "--json", "--db", db});
        const auto workers = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QCOMPARE(workers.size(), 2);
        for (const auto& w : workers)
            QCOMPARE(w.toObject()["state"].toString(), QString("stopped"));
        QVERIFY2(errA.contains("done"), qPrintable(errA));
    }

    void killedWorkerIsTakenOverFromItsCheckpoint()
    {
        const auto db = workspace("kill");
        QVERIFY(queueLongSearch(db));

        QProcess first;
        first.start(SUPERNET_BIN, worker(db, "first", "--lease", "2"));
        // Kill it (SIGKILL: no goodbye) once the run has its first epoch and checkpoint.
        const int runId = firstRunWithACheckpoint(db);
        QVERIFY(runId > 0);
        ::kill(pid_t(first.processId()), SIGKILL);
        QVERIFY(first.waitForFinished(10000));
        auto r =
            wb::test::runSupernet({"runs", "show", QString::number(runId), "--json", "--db", db});
        QVERIFY2(r.json["epoch_count"].toInt() < 40, "the first worker finished before the kill");

        QProcess second;
        if (m_server) {
            // Another machine: the first one's folder is gone (not shared), the second has its
            // own artifacts folder, so the checkpoint comes from the database's copy.
            const auto show = wb::test::runSupernet(
                {"runs", "show", QString::number(runId), "--json", "--db", db});
            QVERIFY(!show.json["checkpoints"].toArray().isEmpty());
            const auto written =
                show.json["checkpoints"].toArray()[0].toObject()["path"].toString();
            QVERIFY(QFileInfo(written).absoluteDir().removeRecursively());
            auto env = QProcessEnvironment::systemEnvironment();
            env.insert("SUPERNET_ARTIFACTS", path("machine-b"));
            second.setProcessEnvironment(env);
        }
        second.start(SUPERNET_BIN, worker(db, "second", "--lease", "2", "--idle-exit", "4"));
        QVERIFY(second.waitForFinished(240000));
        const auto err = QString::fromUtf8(second.readAllStandardError());
        QVERIFY2(second.exitCode() == 0, qPrintable(err));

        r = wb::test::runSupernet({"queue", "list", "--json", "--db", db});
        const auto job = QJsonDocument::fromJson(r.out.toUtf8()).array()[0].toObject();
        QCOMPARE(job["state"].toString(), QString("done"));
        QCOMPARE(job["attempt"].toInt(), 2);
        QCOMPARE(job["run_id"].toInt(), runId);
        QVERIFY2(job["errors"].toArray()[0].toString().contains("first stopped heartbeating"),
                 qPrintable(r.out));
        r = wb::test::runSupernet({"runs", "show", QString::number(runId), "--json", "--db", db});
        QCOMPARE(r.json["status"].toString(), QString("done"));
        const auto epochs = r.json["epoch_metrics"].toArray();
        QCOMPARE(epochs.size(), 40);
        for (int e = 0; e < 40; ++e)
            QCOMPARE(epochs[e].toObject()["epoch"].toInt(), e + 1);
        // Resumed, not restarted: the run says which checkpoint it continued from.
        bool resumed = false;
        const QString from = m_server ? "resumed from " + path("machine-b") : "resumed from";
        for (const auto& i : r.json["issues"].toArray())
            resumed = resumed || i.toObject()["message"].toString().startsWith(from);
        QVERIFY2(resumed, qPrintable(r.out));
    }

    void sigtermGivesTheJobBack()
    {
        const auto db = workspace("term");
        QVERIFY(queueLongSearch(db));
        QProcess w;
        w.start(SUPERNET_BIN, worker(db, "term"));
        const int runId = firstRunWithACheckpoint(db);
        QVERIFY(runId > 0);
        ::kill(pid_t(w.processId()), SIGTERM); // what Slurm and Kubernetes send
        QVERIFY(w.waitForFinished(60000));
        QCOMPARE(w.exitCode(), 143);
        auto r = wb::test::runSupernet({"queue", "list", "--json", "--db", db});
        auto job = QJsonDocument::fromJson(r.out.toUtf8()).array()[0].toObject();
        QCOMPARE(job["state"].toString(), QString("queued"));
        QCOMPARE(job["failures"].toInt(), 0);
        QCOMPARE(job["run_id"].toInt(), runId);
        QVERIFY2(job["errors"].toArray()[0].toString().contains("given back"), qPrintable(r.out));
        r = wb::test::runSupernet({"workers", "--json", "--db", db});
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).array()[0].toObject()["state"].toString(),
                 QString("stopped"));
    }

    void datasetOutsideTheRootsFailsThenRetryAndCancel()
    {
        const auto db = workspace("roots");
        auto r = wb::test::runSupernet(
            QStringList{"search", "--data", path("elsewhere/u"), "--queue", "--max-attempts", "2"} +
            tiny(db));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto id = r.out.trimmed();
        QProcess w;
        w.start(SUPERNET_BIN, worker(db, "w", "--idle-exit", "1"));
        QVERIFY(w.waitForFinished(60000));
        r = wb::test::runSupernet({"queue", "list", "--json", "--db", db});
        auto job = QJsonDocument::fromJson(r.out.toUtf8()).array()[0].toObject();
        QCOMPARE(job["state"].toString(), QString("failed"));
        QCOMPARE(job["errors"].toArray().size(), 2);
        QVERIFY2(job["errors"].toArray()[1].toString().contains("outside this worker's data roots"),
                 qPrintable(r.out));
        QVERIFY(wb::test::runSupernet({"runs", "list", "--json", "--db", db}).out.trimmed() ==
                "[]"); // nothing ran

        QCOMPARE(wb::test::runSupernet({"queue", "retry", id, "--db", db}).exitCode, 0);
        r = wb::test::runSupernet({"queue", "list", "--json", "--db", db});
        job = QJsonDocument::fromJson(r.out.toUtf8()).array()[0].toObject();
        QCOMPARE(job["state"].toString(), QString("queued"));
        QCOMPARE(job["failures"].toInt(), 0);
        QCOMPARE(wb::test::runSupernet({"queue", "cancel", id, "--db", db}).exitCode, 0);
        r = wb::test::runSupernet({"queue", "cancel", id, "--db", db});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("is cancelled"), qPrintable(r.err));
    }

    void queuedPretrainingsRefuseATakenZooName()
    {
        const auto db = workspace("names");
        auto r = wb::test::runSupernet(
            QStringList{"pretrain", "--data", path("data/t"), "--queue"} + tiny(db));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto first = r.out.trimmed();
        // The same default name ("t") while the first is queued: refused now, not after a search.
        r = wb::test::runSupernet(QStringList{"pretrain", "--data", path("data/t"), "--queue"} +
                                  tiny(db));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("'t' is taken by queued job " + first), qPrintable(r.err));
        r = wb::test::runSupernet(
            QStringList{"pretrain", "--data", path("data/t"), "--queue", "--name", "t2"} +
            tiny(db));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(wb::test::runSupernet({"queue", "cancel", first, "--db", db}).exitCode, 0);
        r = wb::test::runSupernet(QStringList{"pretrain", "--data", path("data/t"), "--queue"} +
                                  tiny(db));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err)); // free again once the other is cancelled
    }

private:
    // Queues a 40-epoch search: long enough to stop or kill its worker mid-run.
    bool queueLongSearch(const QString& db) const
    {
        const auto r = wb::test::runSupernet(QStringList{"search", "--data", path("data/t"),
                                                         "--queue", "--data-root", path("data")} +
                                             tiny(db, "40"));
        if (r.exitCode != 0) qWarning("%s", qPrintable(r.err));
        return r.exitCode == 0;
    }
    // Run 1 (the workspace's first) once it has an epoch and its checkpoint, which is recorded
    // after the epoch; 0 after a minute. One command per poll, so a fast search is not missed.
    static int firstRunWithACheckpoint(const QString& db)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 60000) {
            const auto show = wb::test::runSupernet({"runs", "show", "1", "--json", "--db", db});
            if (show.json["epoch_count"].toInt() >= 1 &&
                !show.json["checkpoints"].toArray().isEmpty())
                return 1;
            QTest::qWait(20);
        }
        return 0;
    }
    QString path(const char* name) const { return m_dir.path() + "/" + name; }
    // A SQLite file, or a fresh migrated database on the test's PostgreSQL server.
    QString workspace(const char* name) const
    {
        if (!m_server) return path(name) + QString(".sqlite");
        const auto error = m_server->admin(std::string("CREATE DATABASE queue_") + name);
        if (!error.empty()) qFatal("%s", error.c_str());
        const auto uri = QString::fromStdString(m_server->uri(std::string("queue_") + name));
        const auto r = wb::test::runSupernet({"workspace", "migrate", "--db", uri});
        if (r.exitCode != 0) qFatal("%s", qPrintable(r.err));
        return uri;
    }
    QStringList tiny(const QString& db, const char* epochs = "1") const
    {
        return {"--epochs", epochs,    "--channels", "4",         "--layers", "3",    "--nodes",
                "2",        "--batch", "16",         "--threads", "1",        "--db", db};
    }
    QStringList worker(const QString& db, const char* name, const char* flag = nullptr,
                       const char* value = nullptr, const char* flag2 = nullptr,
                       const char* value2 = nullptr) const
    {
        QStringList args{"worker", "--db",        db,           "--name", name, "--threads",
                         "1",      "--data-root", path("data"), "--poll", "0.2"};
        if (flag) args << flag << value;
        if (flag2) args << flag2 << value2;
        return args;
    }
    QTemporaryDir m_dir;
    fixtures::ThrowawayPostgres* m_server = nullptr;
};

QTEST_APPLESS_MAIN(TestQueueCli)
#include "test_queue_cli.moc"
