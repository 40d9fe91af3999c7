// `supernet distance` and `supernet bench distance`: JSON shape, the store cache, errors.

#include "run_supernet.h"
#include "synthetic_idx.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

class TestDistanceCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        for (const char* name : {"a", "b", "c", "small"})
            QVERIFY(QDir(m_dir.path()).mkdir(name));
        wb::test::writeSeparableIdx(path("a").toStdString(), 4, 12, 8, 1);
        wb::test::writeSeparableIdx(path("b").toStdString(), 3, 12, 8, 2);
        wb::test::writeSeparableIdx(path("c").toStdString(), 2, 15, 8, 3);
        wb::test::writeSeparableIdx(path("small").toStdString(), 2, 10, 6, 4);
    }

    void matrixJsonAndCache()
    {
        const auto db = m_dir.path() + "/ws.sqlite";
        const QStringList args = {"distance", "--data",  path("a"),   "--data", path("b"),
                                  "--data",   path("c"), "--threads", "1",      "--db",
                                  db,         "--json",  "--details"};
        const auto r = wb::test::runSupernet(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json["names"].toArray().size(), 3);
        QCOMPARE(r.json["names"].toArray()[0].toString(), QString("a"));
        QCOMPARE(r.json["fingerprints"].toArray()[2].toString().size(), 64);
        const auto m = r.json["matrix"].toArray();
        QCOMPARE(m.size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(m[i].toArray()[i].toDouble(), 0.0);
            for (int j = 0; j < 3; ++j) {
                QCOMPARE(m[i].toArray()[j].toDouble(), m[j].toArray()[i].toDouble());
                if (i != j) QVERIFY(m[i].toArray()[j].toDouble() > 0);
            }
        }
        QCOMPARE(r.json["settings"].toObject()["inner"].toString(), QString("exact"));
        QCOMPARE(r.json["settings"].toObject()["entreg"].toDouble(), 0.1);
        const auto pairs = r.json["pairs"].toArray();
        QCOMPARE(pairs.size(), 3);
        const auto p0 = pairs[0].toObject();
        QCOMPARE(p0["cached"].toBool(), false);
        QVERIFY(p0["iterations"].toInt() > 0);
        QVERIFY(p0["marginal_error"].toDouble() < 1e-3);
        const auto details = p0["details"].toObject();
        QVERIFY(details.contains("label_distances") && details.contains("coupling"));
        QVERIFY(details.contains("nearest_source"));

        // Again: every pair from the store, same numbers.
        const auto again = wb::test::runSupernet(args);
        QCOMPARE(again.exitCode, 0);
        for (int k = 0; k < 3; ++k) {
            QCOMPARE(again.json["pairs"].toArray()[k].toObject()["cached"].toBool(), true);
            QCOMPARE(again.json["pairs"].toArray()[k].toObject()["value"].toDouble(),
                     pairs[k].toObject()["value"].toDouble());
        }
        // Another setting is another cache entry; the text table names the datasets.
        const auto gaussian =
            wb::test::runSupernet({"distance", "--data", path("a"), "--data", path("b"), "--inner",
                                   "gaussian", "--threads", "1", "--db", db});
        QCOMPARE(gaussian.exitCode, 0);
        QVERIFY(gaussian.out.contains("inner gaussian"));
        QVERIFY(!gaussian.out.contains("cached"));
        QVERIFY(gaussian.out.contains("a ~ b") || gaussian.out.contains("b ~ a"));
    }

    void oneBasisForTheMatrix()
    {
        const auto r = wb::test::runSupernet({"distance", "--data", path("a"), "--data", path("b"),
                                              "--data", path("c"), "--embed-dim", "8", "--threads",
                                              "1", "--no-store", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("PCA: one basis of 8 dimensions for all 3 datasets"),
                 qPrintable(r.err));
        const auto m = r.json["matrix"].toArray();
        QCOMPARE(m.size(), 3);
        QVERIFY(m[0].toArray()[1].toDouble() > 0);
    }

    void errorsNameTheProblem()
    {
        auto r = wb::test::runSupernet(
            {"distance", "--data", path("a"), "--data", path("missing"), "--no-store"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("missing"), qPrintable(r.err));
        r = wb::test::runSupernet({"distance", "--data", path("a"), "--data", path("small"),
                                   "--no-store", "--threads", "1"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("--embed-size"), qPrintable(r.err));
        r = wb::test::runSupernet({"distance", "--data", path("a"), "--data", path("small"),
                                   "--no-store", "--threads", "1", "--embed-size", "6", "--json"});
        QCOMPARE(r.exitCode, 0);
        r = wb::test::runSupernet({"distance", "--data", path("a"), "--data", path("b"),
                                   "--no-store", "--embed",
                                   QString(WB_TEST_DATA_DIR) + "/ot/not_a_model.pt"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("unknown embedder"), qPrintable(r.err));
        r = wb::test::runSupernet(
            {"distance", "--data", path("a"), "--data", path("b"), "--no-store", "--embed",
             "torchscript:" + QString(WB_TEST_DATA_DIR) + "/ot/wrong_rank.pt"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("wrong_rank.pt") && r.err.contains("outputs shape"),
                 qPrintable(r.err));
        r = wb::test::runSupernet({"distance", "--data", path("a"), "--no-store"});
        QCOMPARE(r.exitCode, 2);
    }

    void benchDistanceSingleCase()
    {
        const auto r = wb::test::runSupernet({"bench", "distance", "--n", "60", "--dim", "8",
                                              "--inner", "gaussian", "--threads", "1", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.json["seconds"].toDouble() > 0);
        QVERIFY(r.json["peak_rss_mb"].toDouble() > 10);
        QCOMPARE(r.json["n"].toInt(), 60);
        QCOMPARE(r.json["converged"].toBool(), true);
    }

private:
    QString path(const char* name) const { return m_dir.path() + "/" + name; }
    QTemporaryDir m_dir;
};

QTEST_APPLESS_MAIN(TestDistanceCli)
#include "test_distance_cli.moc"
