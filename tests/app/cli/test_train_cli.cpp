// Recorded training through `supernet`: DARTS' retraining options, a stop and `runs resume`, the
// test result in the store, tags, notes and list filters, the model export converted with
// Python's torch, and config files (a run's own, flags overriding, bad keys named).

#include "run_supernet.h"
#include "synthetic_idx.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace {

const char* const kGenotype =
    "Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1)], normal_concat=range(2, 3), "
    "reduce=[('max_pool_3x3', 0), ('dil_conv_3x3', 1)], reduce_concat=range(2, 3))";

bool pythonHasTorch()
{
    QProcess py;
    py.start("/usr/bin/python3", {"-c", "import torch"});
    return py.waitForFinished(60000) && py.exitCode() == 0;
}

QJsonArray listJson(const QStringList& args)
{
    const auto r = wb::test::runSupernet(QStringList{"runs", "list", "--json"} << args);
    return QJsonDocument::fromJson(r.out.toUtf8()).array();
}

} // namespace

class TestTrainCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QDir(m_dir.path()).mkpath("data");
        wb::test::writeSeparableIdx((m_dir.path() + "/data").toStdString(), 3, 16, 9);
        m_db = m_dir.path() + "/ws.sqlite";
    }

    void stoppedTrainingResumesAndRecordsItsTest()
    {
        QProcess p;
        p.start(SUPERNET_BIN, train() << "--epochs"
                                      << "25"
                                      << "--auxiliary"
                                      << "--drop-path"
                                      << "0.2"
                                      << "--cutout"
                                      << "3");
        QVERIFY(p.waitForStarted());
        QString err;
        while (!err.contains("checkpoint") && p.state() == QProcess::Running) {
            p.waitForReadyRead(200);
            err += QString::fromUtf8(p.readAllStandardError());
        }
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 130);
        auto show = wb::test::runSupernet({"runs", "show", "1", "--db", m_db, "--json"});
        QCOMPARE(show.json["status"].toString(), QString("cancelled"));
        QVERIFY(show.json["test_acc"].isNull()); // stopped: not tested
        QVERIFY(!show.json["checkpoints"].toArray().isEmpty());

        const auto resumed = wb::test::runSupernet({"runs", "resume", "1", "--db", m_db, "--json"});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        QVERIFY(resumed.err.contains("resumed from"));
        show = wb::test::runSupernet({"runs", "show", "1", "--db", m_db, "--json"});
        QCOMPARE(show.json["status"].toString(), QString("done"));
        QCOMPARE(show.json["epoch_count"].toInt(), 25);
        QCOMPARE(show.json["test_acc"].toDouble(), resumed.json["test_acc"].toDouble());
        QCOMPARE(show.json["parameters"].toInteger(), resumed.json["parameters"].toInteger());
        QCOMPARE(show.json["config"].toObject()["auxiliary_weight"].toDouble(), 0.4);
        QCOMPARE(show.json["role"].toString(), QString("train"));
    }

    void tagsNotesAndFilters()
    {
        QVERIFY(wb::test::runSupernet({"runs", "tag", "1", "paper", "aux", "--db", m_db})
                    .out.contains("aux, paper"));
        QCOMPARE(wb::test::runSupernet({"runs", "note", "1", "first try", "--db", m_db}).exitCode,
                 0);
        const auto show = wb::test::runSupernet({"runs", "show", "1", "--db", m_db, "--json"});
        QCOMPARE(show.json["note"].toString(), QString("first try"));
        QCOMPARE(listJson({"--db", m_db, "--tag", "paper"}).size(), 1);
        QCOMPARE(listJson({"--db", m_db, "--tag", "other"}).size(), 0);
        QCOMPARE(listJson({"--db", m_db, "--kind", "train"}).size(), 1);
        QCOMPARE(listJson({"--db", m_db, "--kind", "search"}).size(), 0);
        QCOMPARE(listJson({"--db", m_db, "--status", "done"}).size(), 1);
        const auto text = wb::test::runSupernet({"runs", "list", "--db", m_db});
        QVERIFY2(text.out.contains("TEST") && text.out.contains("paper"), qPrintable(text.out));
        const auto bad = wb::test::runSupernet({"runs", "list", "--db", m_db, "--sort", "acc"});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.err.contains("--sort acc"));
    }

    void exportedModelConverts()
    {
        if (!pythonHasTorch()) QSKIP("python3-torch is not installed");
        const QString out = m_dir.path() + "/model";
        const auto r =
            wb::test::runSupernet({"runs", "export", "1", "--db", m_db, "--to", out,
                                   "--torchscript", "--onnx", "--python", "/usr/bin/python3"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("max |logits - example_logits|"), qPrintable(r.out));
        for (const char* f : {"model.py", "weights.pt", "example_input.pt", "example_logits.pt",
                              "model.ts", "model.onnx"})
            QVERIFY2(QFile::exists(out + "/" + f), f);
        QProcess check;
        check.start("/usr/bin/python3", {"-c",
                                         "import sys, onnx\n"
                                         "m = onnx.load(sys.argv[1])\n"
                                         "onnx.checker.check_model(m)\n"
                                         "print(m.graph.input[0].name, m.graph.output[0].name)",
                                         out + "/model.onnx"});
        QVERIFY(check.waitForFinished(60000));
        if (check.exitCode() != 0 && check.readAllStandardError().contains("No module named"))
            QSKIP("python3-onnx is not installed");
        QCOMPARE(QString::fromUtf8(check.readAllStandardOutput()).trimmed(),
                 QString("images logits"));
    }

    void configFileRerunsARunAndFlagsOverrideIt()
    {
        const auto toml = wb::test::runSupernet({"runs", "show", "1", "--db", m_db, "--config"});
        QCOMPARE(toml.exitCode, 0);
        QVERIFY(toml.out.contains("drop-path = 0.2"));
        const QString file = m_dir.path() + "/rerun.toml";
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(toml.out.toUtf8());
        f.close();
        const auto rerun = wb::test::runSupernet(
            {"train", "--config", file, "--db", m_db, "--epochs", "2", "--json"});
        QVERIFY2(rerun.exitCode == 0, qPrintable(rerun.err));
        auto first = wb::test::runSupernet({"runs", "show", "1", "--db", m_db, "--json"})
                         .json["config"]
                         .toObject();
        auto second = wb::test::runSupernet({"runs", "show", "2", "--db", m_db, "--json"})
                          .json["config"]
                          .toObject();
        QCOMPARE(second["epochs"].toInt(), 2); // the command line won
        for (auto* c : {&first, &second}) {
            c->remove("epochs");
            c->remove("checkpoint_dir");
        }
        QCOMPARE(second, first);

        f.setFileName(m_dir.path() + "/typo.toml");
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("chanels = 8\n");
        f.close();
        auto r = wb::test::runSupernet({"train", "--config", f.fileName(), "--db", m_db});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("typo.toml: chanels") && r.err.contains("did you mean channels"),
                 qPrintable(r.err));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("epochs = 3\nlr = [oops\n");
        f.close();
        r = wb::test::runSupernet({"train", "--config", f.fileName(), "--db", m_db});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("typo.toml:2:") && r.err.contains("not valid TOML"),
                 qPrintable(r.err));
    }

private:
    QStringList train() const
    {
        return {"train",      "--data",   m_dir.path() + "/data",
                "--genotype", kGenotype,  "--channels",
                "4",          "--layers", "3",
                "--batch",    "8",        "--threads",
                "1",          "--db",     m_db};
    }

    QTemporaryDir m_dir;
    QString m_db;
};

QTEST_APPLESS_MAIN(TestTrainCli)
#include "test_train_cli.moc"
