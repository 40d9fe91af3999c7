// `supernet pretrain` and `supernet transfer` with the supernet embedder in the source ranking:
// `--embed auto` picks the multi-dataset zoo supernet, and the ranking's distance is the one
// `supernet distance --embed supernet:RUN` gives for the same pair.

#include "run_supernet.h"
#include "synthetic_idx.h"

#include <QDir>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

class TestTransferCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        for (const char* name : {"a", "b", "t"})
            QVERIFY(QDir(m_dir.path()).mkdir(name));
        wb::test::writeSeparableIdx(path("a").toStdString(), 4, 12, 8, 1);
        wb::test::writeSeparableIdx(path("b").toStdString(), 3, 12, 8, 2);
        wb::test::writeSeparableIdx(path("t").toStdString(), 4, 12, 8, 5);
    }

    void supernetEmbedderRanksTheZoo()
    {
        auto r = wb::test::runSupernet(
            QStringList{"pretrain", "--data", path("a"), "--data", path("b"), "--name", "multi"} +
            tiny());
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = wb::test::runSupernet(QStringList{"pretrain", "--data", path("a"), "--name", "a-only"} +
                                  tiny());
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        r = wb::test::runSupernet(
            QStringList{"transfer", "--data", path("t"), "--source", "auto", "--embed", "auto"} +
            tiny());
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        // The multi-dataset supernet (run 1) embeds; it is itself no candidate unless chosen by id.
        QVERIFY2(r.err.contains("embedder: supernet:1 "), qPrintable(r.err));
        const QRegularExpression chosen(R"(1\. zoo 2 a-only\s+(\S+)\s+<- chosen)");
        const auto m = chosen.match(r.err);
        QVERIFY2(m.hasMatch(), qPrintable(r.err));
        const double ranked = m.captured(1).toDouble();

        r = wb::test::runSupernet({"distance", "--data", path("a"), "--data", path("t"), "--embed",
                                   "supernet:1", "--threads", "1", "--db", db(), "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const double direct = r.json["matrix"].toArray()[0].toArray()[1].toDouble();
        QVERIFY(direct > 0);
        // The ranking prints 4 significant digits.
        QVERIFY2(std::abs(ranked - direct) <= 1e-3 * direct,
                 qPrintable(QString("%1 vs %2").arg(ranked).arg(direct)));
    }

    void supernetEmbedderNeedsARecordedRun()
    {
        const auto r =
            wb::test::runSupernet(QStringList{"transfer", "--data", path("t"), "--source", "auto",
                                              "--embed", "supernet:99"} +
                                  tiny());
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("supernet:99"), qPrintable(r.err));
    }

private:
    QString path(const char* name) const { return m_dir.path() + "/" + name; }
    QString db() const { return m_dir.path() + "/ws.sqlite"; }
    QStringList tiny() const
    {
        return {"--epochs", "1",       "--channels", "4",         "--layers", "3",    "--nodes",
                "2",        "--batch", "16",         "--threads", "1",        "--db", db()};
    }
    QTemporaryDir m_dir;
};

QTEST_APPLESS_MAIN(TestTransferCli)
#include "test_transfer_cli.moc"
