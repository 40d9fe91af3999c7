// The `supernet` executable: --json output shape, train on a found genotype, SIGINT, bad input.

#include "run_supernet.h"
#include "synthetic_idx.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <csignal>

namespace {

QStringList tinySearch(const QString& data)
{
    return {"search", "--data",  data,   "--channels", "4",  "--layers",
            "3",      "--nodes", "2",    "--batch",    "16", "--threads",
            "1",      "--lr",    "0.05", "--seed",     "3"};
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        wb::test::writeSeparableIdx(m_dir.path().toStdString(), 4, 24, 10);
    }

    void searchJsonShape()
    {
        const auto r = wb::test::runSupernet(tinySearch(m_dir.path()) << "--epochs"
                                                                      << "2"
                                                                      << "--json");
        QCOMPARE(r.exitCode, 0);
        const auto& j = r.json;
        QCOMPARE(j["status"].toString(), QString("done"));
        QCOMPARE(j["config"].toObject()["channels"].toInt(), 4);
        QCOMPARE(j["config"].toObject()["runtime"].toObject()["seed"].toInt(), 3);
        const auto epochs = j["epochs"].toArray();
        QCOMPARE(epochs.size(), 2);
        for (const char* key :
             {"epoch", "train_loss", "train_acc", "val_loss", "val_acc", "seconds"})
            QVERIFY2(epochs[1].toObject().contains(key), key);
        QCOMPARE(epochs[1].toObject()["epoch"].toInt(), 2);
        QVERIFY(j["genotype"].toString().startsWith("Genotype(normal=["));
        QCOMPARE(j["genotype_json"].toObject()["normal"].toArray().size(), 4);
        const auto alphas = j["alphas"].toObject();
        QCOMPARE(alphas["normal"].toArray().size(), 5); // 2 nodes -> 5 edges
        QCOMPARE(alphas["normal"].toArray()[0].toArray().size(), 8);
        QCOMPARE(alphas["reduce"].toArray().size(), 5);
        QCOMPARE(j["dataset"].toObject()["fingerprint"].toString().size(), 64);
        // Progress goes to stderr, one line per epoch when stderr is not a terminal.
        QVERIFY(r.err.contains("epoch 2/2"));

        m_genotype = j["genotype"].toString();
    }

    void exportedWeightsLoadInPython()
    {
        const QString db = m_dir.path() + "/export.sqlite";
        const auto r = wb::test::runSupernet(tinySearch(m_dir.path()) << "--epochs"
                                                                      << "1"
                                                                      << "--db" << db << "--json");
        QCOMPARE(r.exitCode, 0);
        const int id = r.json["run_id"].toInt();
        QVERIFY(id > 0);
        const QString out = m_dir.path() + "/bundle";
        QProcess exp;
        exp.start(SUPERNET_BIN, {"runs", "export", QString::number(id), "--db", db, "--to", out});
        QVERIFY(exp.waitForFinished(60000));
        QCOMPARE(exp.exitCode(), 0);
        for (const char* f : {"genotype.json", "genotype.py", "normal.dot", "normal.svg",
                              "normal.png", "reduce.dot", "metrics.csv", "alphas.csv",
                              "config.json", "provenance.json", "weights.pt"})
            QVERIFY2(QFile::exists(out + "/" + f), f);
        // A second export to the same folder is refused without --force.
        QProcess again;
        again.start(SUPERNET_BIN, {"runs", "export", QString::number(id), "--db", db, "--to", out});
        QVERIFY(again.waitForFinished(60000));
        QVERIFY(again.exitCode() != 0);

        if (!QFile::exists("/usr/bin/python3")) QSKIP("no /usr/bin/python3");
        QProcess py;
        py.start("/usr/bin/python3", {"-c",
                                      "import sys, torch\n"
                                      "d = torch.load(sys.argv[1])\n"
                                      "print(tuple(d['alpha_normal'].shape), len(d), "
                                      "'supernet.stem.0.weight' in d)",
                                      out + "/weights.pt"});
        QVERIFY(py.waitForFinished(60000));
        if (py.exitCode() != 0 && py.readAllStandardError().contains("No module named 'torch'"))
            QSKIP("python3-torch is not installed");
        // alpha is 5 edges x 8 ops; the dict also holds every supernet weight and BN buffer.
        const auto printed = QString::fromUtf8(py.readAllStandardOutput()).trimmed();
        const auto match = QRegularExpression("^\\(5, 8\\) (\\d+) True$").match(printed);
        QVERIFY2(match.hasMatch(), qPrintable(printed));
        QVERIFY(match.captured(1).toInt() > 100);
    }

    void runJsonShapesAgree()
    {
        const QString db = m_dir.path() + "/shapes.sqlite";
        const auto search =
            wb::test::runSupernet(tinySearch(m_dir.path()) << "--epochs"
                                                           << "2"
                                                           << "--db" << db << "--json");
        QCOMPARE(search.exitCode, 0);
        const auto id = QString::number(search.json["run_id"].toInt());
        const auto show = wb::test::runSupernet({"runs", "show", id, "--db", db, "--json"});
        const auto list = wb::test::runSupernet({"runs", "list", "--db", db, "--json"});
        QCOMPARE(show.exitCode, 0);
        const auto listed = QJsonDocument::fromJson(list.out.toUtf8()).array()[0].toObject();
        for (const auto& j : {search.json, show.json, listed}) {
            QCOMPARE(j["schema_version"].toInt(), 1);
            QCOMPARE(j["epoch_count"].toInt(), 2);
        }
        // One epoch shape: what the search printed is what the store gives back.
        QCOMPARE(search.json["epoch_metrics"].toArray(), show.json["epoch_metrics"].toArray());
        QCOMPARE(search.json["epoch_metrics"].toArray().size(), 2);
        QCOMPARE(search.json["dataset"].toObject()["class_names"],
                 show.json["dataset"].toObject()["class_names"]);
        // The old names stay for one release: a list in search --json, a count in runs show.
        QCOMPARE(search.json["epochs"].toArray(), search.json["epoch_metrics"].toArray());
        QCOMPARE(show.json["epochs"].toInt(), 2);
        QCOMPARE(search.json["dataset"].toObject()["classes"],
                 search.json["dataset"].toObject()["class_names"]);
    }

    void pcDartsSearchAndGenotypeDiff()
    {
        // A PC-DARTS search records its edge weights; `genotype diff` compares the run with a
        // file of its own genotype (equal, exit 0) and with a changed literal (exit 1).
        const QString db = m_dir.path() + "/variants.sqlite";
        const auto search =
            wb::test::runSupernet(tinySearch(m_dir.path()) << "--epochs"
                                                           << "1"
                                                           << "--variant"
                                                           << "pc-darts"
                                                           << "--partial-channels"
                                                           << "2"
                                                           << "--db" << db << "--json");
        QCOMPARE(search.exitCode, 0);
        // Off unless asked for: no eigenvalue, recorded as null.
        QVERIFY(search.json["signals"].toObject()["hessian_eigenvalue"].isNull());
        const auto alphas = search.json["alphas"].toObject();
        QCOMPARE(alphas["edge_normal"].toArray().size(), 5);
        const double node0 = alphas["edge_normal"].toArray()[0].toDouble() +
                             alphas["edge_normal"].toArray()[1].toDouble();
        QVERIFY(std::abs(node0 - 1) < 1e-5); // softmax over node 0's two edges
        QCOMPARE(search.json["config"].toObject()["partial_channels"].toInt(), 2);
        const auto id = QString::number(search.json["run_id"].toInt());
        const QString literal = search.json["genotype"].toString();
        QFile file(m_dir.path() + "/found.txt");
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(literal.toUtf8());
        file.close();
        auto same = wb::test::runSupernet({"genotype", "diff", id, file.fileName(), "--db", db});
        QCOMPARE(same.exitCode, 0);
        QVERIFY2(same.out.contains("normal: equal"), qPrintable(same.out));

        // Another op on the first edge of the normal cell.
        const auto json = search.json["genotype_json"].toObject();
        const QString firstOp = json["normal"].toArray()[0].toArray()[0].toString();
        const QString otherOp = firstOp == "avg_pool_3x3" ? "max_pool_3x3" : "avg_pool_3x3";
        QString changed = literal;
        changed.replace(changed.indexOf(firstOp), firstOp.size(), otherOp);
        auto differ =
            wb::test::runSupernet({"genotype", "diff", id, changed, "--db", db, "--json"});
        QCOMPARE(differ.exitCode, 1);
        QCOMPARE(differ.json["equal"].toBool(), false);
        QVERIFY(differ.json["reduce"].toObject()["equal"].toBool());
        const auto lines = differ.json["normal"].toObject()["differences"].toArray();
        QCOMPARE(lines.size(), 1);
        QVERIFY(lines[0].toString().contains(otherOp + "("));

        const auto missing = wb::test::runSupernet({"genotype", "diff", "99", changed, "--db", db});
        QCOMPARE(missing.exitCode, 2);
    }

    void searchRerunsFromItsConfigFile()
    {
        // Every search flag away from its default, so a field the file forgets shows up.
        const QString db = m_dir.path() + "/config.sqlite";
        const auto first = wb::test::runSupernet({"search",
                                                  "--data",
                                                  m_dir.path(),
                                                  "--db",
                                                  db,
                                                  "--channels",
                                                  "4",
                                                  "--layers",
                                                  "3",
                                                  "--nodes",
                                                  "2",
                                                  "--batch",
                                                  "16",
                                                  "--threads",
                                                  "1",
                                                  "--epochs",
                                                  "1",
                                                  "--seed",
                                                  "5",
                                                  "--primitives",
                                                  "none,skip_connect,sep_conv_3x3,max_pool_3x3",
                                                  "--variant",
                                                  "pc-darts",
                                                  "--partial-channels",
                                                  "2",
                                                  "--kl-weight",
                                                  "0.01",
                                                  "--alpha-lr",
                                                  "0.001",
                                                  "--alpha-weight-decay",
                                                  "0.002",
                                                  "--steps-per-epoch",
                                                  "2",
                                                  "--max-per-class",
                                                  "20",
                                                  "--image-size",
                                                  "8",
                                                  "--image-channels",
                                                  "3",
                                                  "--train-fraction",
                                                  "0.4",
                                                  "--val-fraction",
                                                  "0.3",
                                                  "--split-seed",
                                                  "11",
                                                  "--lr",
                                                  "0.03",
                                                  "--lr-min",
                                                  "0.002",
                                                  "--momentum",
                                                  "0.8",
                                                  "--weight-decay",
                                                  "0.0005",
                                                  "--grad-clip",
                                                  "4",
                                                  "--no-channels-last",
                                                  "--val-running-bn",
                                                  "--format",
                                                  "idx",
                                                  "--json"});
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        const auto toml = wb::test::runSupernet({"runs", "show", "1", "--db", db, "--config"});
        QVERIFY2(toml.out.startsWith("# run 1: supernet search --config FILE"),
                 qPrintable(toml.out));
        const QString file = m_dir.path() + "/search.toml";
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(toml.out.toUtf8());
        f.close();
        const auto again = wb::test::runSupernet({"search", "--config", file, "--db", db});
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        auto a = wb::test::runSupernet({"runs", "show", "1", "--db", db, "--json"})
                     .json["config"]
                     .toObject();
        auto b = wb::test::runSupernet({"runs", "show", "2", "--db", db, "--json"})
                     .json["config"]
                     .toObject();
        QCOMPARE(a["data"].toObject()["split_seed"].toInt(), 11);
        a.remove("checkpoint_dir");
        b.remove("checkpoint_dir");
        QCOMPARE(b, a);
        // The same file on a command without those flags names the first foreign key.
        const auto wrong = wb::test::runSupernet({"train", "--config", file});
        QCOMPARE(wrong.exitCode, 2);
        QVERIFY2(wrong.err.contains("search.toml: ") && wrong.err.contains("has no flag"),
                 qPrintable(wrong.err));
    }

    void stopOnCollapseKeepsThePreviousGenotype()
    {
        // Only skip connections: the normal cell's 4 chosen edges are skips from the first epoch
        // (>= 3), so the rule stops at the second (the first with an earlier genotype to keep).
        const QString db = m_dir.path() + "/stop.sqlite";
        const auto r = wb::test::runSupernet(tinySearch(m_dir.path()) << "--epochs"
                                                                      << "6"
                                                                      << "--primitives"
                                                                      << "skip_connect"
                                                                      << "--stop-on"
                                                                      << "collapse"
                                                                      << "--db" << db << "--json");
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json["status"].toString(), QString("stopped"));
        QCOMPARE(r.json["epoch_count"].toInt(), 2);
        QVERIFY(r.json["stop_reason"].toString().contains("the genotype is epoch 1's"));
        QVERIFY2(r.json["stop_reason"].toString().contains("4 skip_connect edges"),
                 qPrintable(r.json["stop_reason"].toString()));
        QCOMPARE(r.json["alphas"].toObject()["epoch"].toInt(), 1);
        const auto show = wb::test::runSupernet({"runs", "show", "1", "--db", db, "--json"});
        QCOMPARE(show.json["status"].toString(), QString("stopped"));
        QCOMPARE(show.json["genotype"].toString(), r.json["genotype"].toString());
        QCOMPARE(show.json["signals"].toArray().size(), 1); // epoch 2's alphas were not kept
        const auto list =
            wb::test::runSupernet({"runs", "list", "--db", db, "--status", "stopped", "--json"});
        QCOMPARE(QJsonDocument::fromJson(list.out.toUtf8()).array().size(), 1);
    }

    void bashCompletionKnowsCommandsAndFlags()
    {
        const auto r = wb::test::runSupernet({"completion", "bash"});
        QCOMPARE(r.exitCode, 0);
        const QString file = m_dir.path() + "/supernet.bash";
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(r.out.toUtf8());
        f.close();
        // Completes `supernet runs li` and `supernet runs list --ta` in a real bash.
        QProcess bash;
        bash.start("bash", {"-c",
                            "source \"$0\"; "
                            "COMP_WORDS=(supernet runs li); COMP_CWORD=2; _supernet; "
                            "echo \"${COMPREPLY[*]}\"; "
                            "COMP_WORDS=(supernet runs list --db x --ta); COMP_CWORD=5; "
                            "_supernet; echo \"${COMPREPLY[*]}\"; "
                            "COMP_WORDS=(supernet train --aux); COMP_CWORD=2; _supernet; "
                            "echo \"${COMPREPLY[*]}\"",
                            file});
        QVERIFY(bash.waitForFinished(30000));
        QCOMPARE(QString::fromUtf8(bash.readAllStandardOutput()),
                 QString("list\n--tag\n--auxiliary --auxiliary-weight\n"));
    }

    void typosGetSuggestionsAndHelpNamesCommands()
    {
        auto r = wb::test::runSupernet({"serch", "--data", m_dir.path()});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("unknown command 'serch' (did you mean 'search'?)"),
                 qPrintable(r.err));
        r = wb::test::runSupernet({"runs", "lst"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("did you mean 'list'?"), qPrintable(r.err));
        r = wb::test::runSupernet({"search", "--data", m_dir.path(), "--epoch", "2"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--epoch: did you mean --epochs?"), qPrintable(r.err));
        r = wb::test::runSupernet({"help", "runs", "list"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("supernet runs list"), qPrintable(r.out)); // not a build path
        r = wb::test::runSupernet({"help", "zooo"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("did you mean 'zoo'?"));
        r = wb::test::runSupernet({"-V"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("supernet "));
        // The experiment takes --targets and --seeds, not the single-run flags.
        r = wb::test::runSupernet({"help", "experiment"});
        QVERIFY(!r.out.contains("--data "));
        QVERIFY(r.out.contains("Exit codes"));
    }

    void trainJsonShape()
    {
        QVERIFY(!m_genotype.isEmpty());
        const auto r = wb::test::runSupernet(
            {"train", "--data", m_dir.path(), "--genotype", m_genotype, "--channels", "4",
             "--layers", "3", "--batch", "16", "--epochs", "1", "--threads", "1", "--json"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json["status"].toString(), QString("done"));
        QVERIFY(r.json.contains("test_acc"));
        const double acc = r.json["test_acc"].toDouble();
        QVERIFY(acc >= 0 && acc <= 1);
        QCOMPARE(r.json["epochs"].toArray().size(), 1);
    }

    void sigintStopsCleanly()
    {
        QProcess p;
        p.start(SUPERNET_BIN, tinySearch(m_dir.path()) << "--epochs"
                                                       << "1000"
                                                       << "--json");
        QVERIFY(p.waitForStarted());
        QString err;
        while (!err.contains("epoch 1/") && p.state() == QProcess::Running) {
            p.waitForReadyRead(200);
            err += QString::fromUtf8(p.readAllStandardError());
        }
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 130);
        const auto j = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        QCOMPARE(j["status"].toString(), QString("cancelled"));
        QVERIFY(j["epochs"].toArray().size() >= 1);
        QVERIFY(j["genotype"].toString().startsWith("Genotype("));
    }

    void badInputNamesTheFile()
    {
        const QString missing = m_dir.path() + "/nope";
        const auto r = wb::test::runSupernet({"search", "--data", missing, "--json"});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.json["status"].toString(), QString("failed"));
        QVERIFY2(r.json["error"].toString().contains(missing),
                 qPrintable(r.json["error"].toString()));

        const auto bad =
            wb::test::runSupernet({"search", "--data", m_dir.path(), "--format", "tiff"});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("tiff"), qPrintable(bad.err));

        const auto badGenotype = wb::test::runSupernet(
            {"train", "--data", m_dir.path(), "--genotype", "Genotype(normal=[("});
        QCOMPARE(badGenotype.exitCode, 2);
        QVERIFY2(badGenotype.err.contains("genotype"), qPrintable(badGenotype.err));
    }

    // cuda:N names a device; a build or machine without it says so before any training.
    void devicesAreChecked()
    {
        const auto bad = wb::test::runSupernet(
            {"search", "--data", m_dir.path(), "--no-store", "--device", "gpu1"});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("must be cpu, cuda or cuda:N (got 'gpu1')"), qPrintable(bad.err));
        const auto cuda = wb::test::runSupernet(
            {"search", "--data", m_dir.path(), "--no-store", "--device", "cuda:7", "--json"});
        if (cuda.exitCode == 0) QSKIP("this machine has 8 CUDA devices");
        QCOMPARE(cuda.exitCode, 1);
        const auto error = cuda.json["error"].toString();
        QVERIFY2(error.contains("device 'cuda:7': this LibTorch build has no CUDA support") ||
                     error.contains("device 'cuda:7': this machine has"),
                 qPrintable(error));
    }

private:
    QTemporaryDir m_dir;
    QString m_genotype;
};

QTEST_APPLESS_MAIN(TestCli)
#include "test_cli.moc"
