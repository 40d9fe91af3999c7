// `supernet pretrain`, `zoo list|add|remove` and `experiment` end to end on tiny data: the zoo
// fills and empties, an experiment with a warm arm runs to its tables, the each-source arm
// measures every compatible source, and the exit codes say what happened (2: a target is
// missing, checked before any work; 1: cells failed).

#include "run_supernet.h"
#include "synthetic_idx.h"

#include <cmath>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QMap>
#include <QPair>
#include <QTemporaryDir>
#include <QTest>

class TestExperimentCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        for (const char* name : {"a", "t"})
            QVERIFY(QDir(m_dir.path()).mkdir(name));
        wb::test::writeSeparableIdx(path("a").toStdString(), 3, 12, 8, 1);
        wb::test::writeSeparableIdx(path("t").toStdString(), 3, 12, 8, 5);
    }

    void missingTargetIsRefusedBeforeAnyWork()
    {
        const auto db = m_dir.path() + "/missing.sqlite";
        const auto r = wb::test::runSupernet(QStringList{"experiment", "--targets", path("t"),
                                                         path("nowhere"), "--arms", "scratch"} +
                                             tiny(db));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(path("nowhere")), qPrintable(r.err));
        QVERIFY2(!r.err.contains("=="), qPrintable(r.err)); // no cell started
        QVERIFY(!QFile::exists(db));
    }

    void zooFillsAndEmpties()
    {
        const auto db = m_dir.path() + "/zoo.sqlite";
        auto r = wb::test::runSupernet(QStringList{"pretrain", "--data", path("a"), "--json"} +
                                       tiny(db));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json["run_id"].toInt(), 1);
        QVERIFY2(r.err.contains("zoo entry 1"), qPrintable(r.err));
        // The default name is the folder's; a second entry of that name is refused up front.
        r = wb::test::runSupernet(QStringList{"pretrain", "--data", path("a")} + tiny(db));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("'a' is taken"), qPrintable(r.err));

        r = wb::test::runSupernet({"zoo", "list", "--json", "--db", db});
        QCOMPARE(r.exitCode, 0);
        auto list = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QCOMPARE(list.size(), 1);
        QCOMPARE(list[0].toObject()["name"].toString(), QString("a"));
        QCOMPARE(list[0].toObject()["run_id"].toInt(), 1);

        r = wb::test::runSupernet({"zoo", "remove", "1", "--db", db});
        QCOMPARE(r.exitCode, 0);
        r = wb::test::runSupernet({"zoo", "add", "1", "--name", "again", "--db", db});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = wb::test::runSupernet({"zoo", "list", "--json", "--db", db});
        list = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QCOMPARE(list.size(), 1);
        QCOMPARE(list[0].toObject()["name"].toString(), QString("again"));
    }

    void experimentWithAWarmArmWritesItsTables()
    {
        const auto db = m_dir.path() + "/exp.sqlite";
        auto r = wb::test::runSupernet(
            QStringList{"pretrain", "--data", path("a"), "--name", "source-a"} + tiny(db));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto out = m_dir.path() + "/tables";
        r = wb::test::runSupernet(QStringList{"experiment", "--targets", path("t"), "--arms",
                                              "scratch,ot", "--seeds", "0", "--retrain-epochs", "1",
                                              "--retrain-channels", "4", "--retrain-layers", "2",
                                              "--out", out, "--json"} +
                                  tiny(db));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json["status"].toString(), QString("done"));
        QVERIFY(r.json["failed_cells"].toArray().isEmpty());
        const auto rows = r.json["rows"].toArray();
        QCOMPARE(rows.size(), 2);
        QJsonObject ot;
        for (const auto& row : rows)
            if (row.toObject()["arm"].toString() == "ot") ot = row.toObject();
        QCOMPARE(ot["target"].toString(), QString("t"));
        QVERIFY2(ot["sources"].toString() == "source-a", qPrintable(r.out));
        QVERIFY2(r.err.contains("<- chosen"), qPrintable(r.err)); // the ranking was shown
        for (const char* name : {"results.md", "results.csv", "results.json"})
            QVERIFY(QFile::exists(out + "/" + name));
        // The experiment's runs: the pretraining, then per arm a search and a retraining.
        r = wb::test::runSupernet({"runs", "list", "--json", "--db", db});
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).array().size(), 5);
    }

    void eachSourceArmMeasuresEveryCompatibleSource()
    {
        const auto db = m_dir.path() + "/each.sqlite";
        for (const char* name : {"first", "second"}) {
            const auto r = wb::test::runSupernet(
                QStringList{"pretrain", "--data", path("a"), "--name", name, "--seed",
                            name == std::string("first") ? "0" : "1"} +
                tiny(db));
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        }
        // Another network (2 cells): not a source for this experiment's search space.
        auto r = wb::test::runSupernet(
            {"pretrain", "--data", path("a"), "--name", "other", "--epochs", "1", "--channels", "4",
             "--layers", "2", "--nodes", "2", "--batch", "16", "--threads", "1", "--db", db});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = wb::test::runSupernet(QStringList{"experiment", "--targets", path("t"), "--arms",
                                              "scratch,each-source", "--seeds", "0",
                                              "--retrain-epochs", "0", "--out",
                                              m_dir.path() + "/each", "--json"} +
                                  tiny(db));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QStringList arms, sources;
        for (const auto& row : r.json["rows"].toArray()) {
            const auto o = row.toObject();
            arms << o["arm"].toString();
            if (o["arm"].toString() == "scratch") continue;
            sources << o["sources"].toString();
            QVERIFY2(o["distance"].toObject()["mean"].toDouble() > 0, qPrintable(r.out));
        }
        QCOMPARE(arms, (QStringList{"scratch", "source:1", "source:2"}));
        QCOMPARE(sources, (QStringList{"first", "second"}));
    }

    // Four datasets, each pretrained once: each in turn the target of the other three.
    void leaveOneOutStudyRanksEveryEmbedder()
    {
        const auto db = m_dir.path() + "/loo.sqlite";
        QStringList targets;
        for (unsigned k = 1; k <= 4; ++k) {
            const auto name = QString("d%1").arg(k);
            QVERIFY(QDir(m_dir.path()).mkdir(name));
            wb::test::writeSeparableIdx(path(qPrintable(name)).toStdString(), 3, 12, 8, k, k > 2);
            targets << path(qPrintable(name));
            const auto r = wb::test::runSupernet(
                QStringList{"pretrain", "--data", targets.back(), "--name", name} + tiny(db));
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        }
        auto r = wb::test::runSupernet(QStringList{"experiment", "--targets"} + targets +
                                       QStringList{"--arms", "scratch,each-source", "--seeds",
                                                   "0", "--retrain-epochs", "0", "--json"} +
                                       tiny(db));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        // No target is its own source: d1 gets zoo entries 2, 3 and 4, and so on.
        QMap<QString, QStringList> sources;
        QMap<QPair<QString, QString>, double> cellDistance;
        for (const auto& row : r.json["rows"].toArray()) {
            const auto o = row.toObject();
            if (o["arm"].toString() == "scratch") continue;
            sources[o["target"].toString()] << o["sources"].toString();
            cellDistance[{o["target"].toString(), o["sources"].toString()}] =
                o["distance"].toObject()["mean"].toDouble();
        }
        QCOMPARE(sources["d1"], (QStringList{"d2", "d3", "d4"}));
        QCOMPARE(sources["d4"], (QStringList{"d1", "d2", "d3"}));
        const auto id = QString::number(r.json["experiment_id"].toInt());
        const auto out = r.json["out"].toString();

        r = wb::test::runSupernet({"experiment", "study", id, "--embedder", "pixels",
                                   "--embedder", "pixels@4", "--resamples", "200", "--json",
                                   "--db", db});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto embedders = r.json["embedders"].toArray();
        QCOMPARE(embedders.size(), 2);
        // The experiment's own embedder gives back the distances its cells measured; 4x4 pixels
        // give others.
        const auto first = embedders[0].toObject()["distances"].toArray();
        const auto second = embedders[1].toObject()["distances"].toArray();
        QCOMPARE(first.size(), 12);
        for (int i = 0; i < first.size(); ++i) {
            const auto d = first[i].toObject();
            const auto key = qMakePair(d["target"].toString(), d["source"].toString());
            QVERIFY(cellDistance.contains(key));
            QVERIFY(std::abs(d["distance"].toDouble() - cellDistance[key]) <=
                    1e-9 * cellDistance[key]);
            QVERIFY(second[i].toObject()["distance"].toDouble() != d["distance"].toDouble());
        }
        // Per embedder, the four gain measures; each statistic is the mean of its per-target
        // correlations, inside its interval; no retraining, so no test gain.
        const auto rows = r.json["rows"].toArray();
        QCOMPARE(rows.size(), 8);
        for (const auto& value : rows) {
            const auto row = value.toObject();
            double sum = 0;
            int n = 0;
            for (const auto& t : row["per_target"].toArray()) {
                const auto rho = t.toObject()["rho"];
                if (rho.isNull()) continue;
                QVERIFY(rho.toDouble() >= -1 - 1e-12 && rho.toDouble() <= 1 + 1e-12);
                sum += rho.toDouble();
                ++n;
            }
            QCOMPARE(row["targets"].toInt(), n);
            if (row["gain"].toString() == "test accuracy gain") QCOMPARE(n, 0);
            if (n == 0) continue;
            const double mean = row["mean_rho"].toDouble();
            QVERIFY(std::abs(mean - sum / n) < 1e-12);
            const auto interval = row["interval"].toArray();
            QVERIFY(interval[0].toDouble() <= mean + 1e-12 && mean <= interval[1].toDouble() + 1e-12);
            if (row["embedder"].toString() == "pixels") QVERIFY(row["vs_first"].isNull());
        }
        for (const char* name : {"study.md", "study.csv", "study.json"})
            QVERIFY(QFile::exists(out + "/" + name));
        r = wb::test::runSupernet({"experiment", "study", id, "--embedder", "pixels@0", "--db", db});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("pixels@0") && r.err.contains("1 to 1024"), qPrintable(r.err));
    }

    void everyCellFailedExitsOne()
    {
        const auto db = m_dir.path() + "/fail.sqlite";
        const auto r =
            wb::test::runSupernet(QStringList{"experiment", "--targets", path("t"), "--arms",
                                              "multi", "--seeds", "0,1", "--json"} +
                                  tiny(db));
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.json["status"].toString(), QString("failed"));
        const auto failed = r.json["failed_cells"].toArray();
        QCOMPARE(failed.size(), 2);
        QVERIFY2(failed[0].toObject()["error"].toString().contains("multi-dataset"),
                 qPrintable(r.out));
        QVERIFY2(r.err.contains("failed: t seed 1 arm multi"), qPrintable(r.err));
    }

private:
    QString path(const char* name) const { return m_dir.path() + "/" + name; }
    QStringList tiny(const QString& db) const
    {
        return {"--epochs", "1",       "--channels", "4",         "--layers", "3",    "--nodes",
                "2",        "--batch", "16",         "--threads", "1",        "--db", db};
    }
    QTemporaryDir m_dir;
};

QTEST_APPLESS_MAIN(TestExperimentCli)
#include "test_experiment_cli.moc"
