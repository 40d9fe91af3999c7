// `supernet` on a PostgreSQL workspace: migrate first (every other command refuses an empty or
// older schema), a search recorded through SUPERNET_DB, its checkpoints in the artifacts folder,
// `workspace copy` to a SQLite file that reads back the same, and no password anywhere.

#include "run_supernet.h"
#include "synthetic_idx.h"
#include "throwaway_postgres.h"

#include <QDir>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <cstdlib>

namespace {

const QString kSecret = "pw-Secret42";

bool hasSecret(const wb::test::Ran& r)
{
    return r.out.contains(kSecret) || r.err.contains(kSecret);
}

} // namespace

class TestWorkspaceCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        m_server = fixtures::ThrowawayPostgres::instance();
        if (!m_server)
            QSKIP(("no PostgreSQL server: " + fixtures::ThrowawayPostgres::reason()).c_str());
        QVERIFY(m_dir.isValid());
        QVERIFY(QDir(m_dir.path()).mkpath("data"));
        wb::test::writeSeparableIdx((m_dir.path() + "/data").toStdString(), 4, 24, 10);
        QCOMPARE(QString::fromStdString(m_server->admin("CREATE DATABASE cli")), QString());
        m_uri = QString::fromStdString(m_server->uri("cli", kSecret.toStdString()));
    }

    void commandsRefuseAnUnmigratedDatabase()
    {
        const auto r = wb::test::runSupernet({"runs", "list", "--db", m_uri});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("supernet workspace migrate --db"), qPrintable(r.err));
        QVERIFY2(r.err.contains("wb:***@"), qPrintable(r.err));
        QVERIFY(!hasSecret(r));
    }

    void migrateCreatesTheSchemaOnce()
    {
        auto r = wb::test::runSupernet({"workspace", "migrate", "--db", m_uri});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("schema 0 -> 8"), qPrintable(r.out));
        QVERIFY(!hasSecret(r));
        r = wb::test::runSupernet({"workspace", "migrate", "--db", m_uri});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("nothing to do"), qPrintable(r.out));
    }

    void searchRecordsThroughSupernetDb()
    {
        const QString artifacts = m_dir.path() + "/artifacts";
        qputenv("SUPERNET_DB", m_uri.toUtf8());
        qputenv("SUPERNET_ARTIFACTS", artifacts.toUtf8());
        auto r = wb::test::runSupernet({"search", "--data", m_dir.path() + "/data", "--channels",
                                        "4", "--layers", "2", "--nodes", "2", "--batch", "16",
                                        "--threads", "1", "--epochs", "2", "--seed", "3"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("run 1 (postgresql://wb:***@"), qPrintable(r.err));
        QVERIFY(!hasSecret(r));
        const auto checkpoints = QDir(artifacts + "/runs/1").entryList({"*.pt"}, QDir::Files);
        QVERIFY2(!checkpoints.isEmpty(), qPrintable(artifacts));

        r = wb::test::runSupernet({"runs", "show", "1", "--json"});
        qunsetenv("SUPERNET_DB");
        qunsetenv("SUPERNET_ARTIFACTS");
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json["status"].toString(), QString("done"));
        QCOMPARE(r.json["epochs"].toInt(), 2);
        QCOMPARE(r.json["epoch_metrics"].toArray().size(), 2);
        QVERIFY(r.json["versions"].toObject()["database"].toString().startsWith("PostgreSQL "));
        m_shown = r.json;
    }

    void copyToSqliteReadsBackTheSame()
    {
        const QString file = m_dir.path() + "/copy.sqlite";
        auto r = wb::test::runSupernet({"workspace", "copy", "--from", m_uri, "--to", file});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("epochs: 2\n") && r.out.contains("runs: 1\n"), qPrintable(r.out));
        QVERIFY(!hasSecret(r));
        r = wb::test::runSupernet({"runs", "show", "1", "--json", "--db", file});
        QCOMPARE(r.exitCode, 0);
        for (const char* key : {"epoch_metrics", "signals", "issues", "checkpoints", "config",
                                "genotype_json", "seed", "dataset", "started_at"})
            QVERIFY2(m_shown.contains(key) && r.json[key] == m_shown[key], key);
        // Not into a workspace that holds rows.
        r = wb::test::runSupernet({"workspace", "copy", "--from", file, "--to", m_uri});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("not empty"), qPrintable(r.err));
        QVERIFY(!hasSecret(r));
    }

private:
    fixtures::ThrowawayPostgres* m_server = nullptr;
    QTemporaryDir m_dir;
    QString m_uri;
    QJsonObject m_shown;
};

QTEST_APPLESS_MAIN(TestWorkspaceCli)
#include "test_workspace_cli.moc"
