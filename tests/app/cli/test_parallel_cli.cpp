// `--nproc`, `--nnodes` and friends with real processes: a 2-process search records what one
// process with the same two shards records; a killed rank fails the run with a clear error and
// `runs resume --nproc 2` finishes it; ranks started differently, a busy port and too many
// processes are reported.

#include "loopback_socket.h"
#include "run_supernet.h"
#include "synthetic_idx.h"
#include "wb/store/run_store.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <thread>

using wb::test::runSupernet;

namespace {

QStringList searchArgs(const QString& data, int epochs)
{
    return {"search",  "--data", data,     "--channels", "4",     "--layers",
            "2",       "--nodes", "2",     "--batch",    "8",     "--epochs",
            QString::number(epochs), "--threads", "1", "--seed", "5", "--json"};
}

// The pids of `parent`'s children.
QList<pid_t> childrenOf(qint64 parent)
{
    QFile f(QString("/proc/%1/task/%1/children").arg(parent));
    if (!f.open(QIODevice::ReadOnly)) return {};
    QList<pid_t> pids;
    for (const auto& word : QString::fromUtf8(f.readAll()).split(' ', Qt::SkipEmptyParts))
        pids << pid_t(word.toInt());
    return pids;
}

void compareEpochs(const QJsonArray& a, const QJsonArray& b)
{
    QCOMPARE(a.size(), b.size());
    for (int i = 0; i < a.size(); ++i)
        for (const char* key : {"train_loss", "train_acc", "val_loss", "val_acc"})
            QVERIFY2(std::abs(a[i].toObject()[key].toDouble() - b[i].toObject()[key].toDouble()) <
                         1e-6,
                     qPrintable(QString("epoch %1 %2").arg(i + 1).arg(key)));
}

} // namespace

class TestParallelCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_data = m_dir.path() + "/data";
        QVERIFY(QDir().mkpath(m_data));
        wb::test::writeSeparableIdx(m_data.toStdString(), 4, 40, 10);
        auto args = searchArgs(m_data, 3);
        args << "--shards" << "2" << "--db" << m_dir.path() + "/reference.sqlite";
        const auto r = runSupernet(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        m_reference = r.json["epochs"].toArray();
        QCOMPARE(m_reference.size(), 3);
    }

    void twoProcessesRecordWhatOneProcessWithTwoShardsDoes()
    {
        const QString db = m_dir.path() + "/two.sqlite";
        auto args = searchArgs(m_data, 3);
        args << "--nproc" << "2" << "--db" << db;
        const auto r = runSupernet(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.out.count("\"status\""), 1); // one result: rank 1 prints none
        compareEpochs(r.json["epochs"].toArray(), m_reference);
        auto store = wb::store::RunStore::open(db.toStdString());
        const auto runs = store.listRuns();
        QCOMPARE(int(runs.size()), 1); // rank 1 records nothing
        QVERIFY(store.run(runs[0].id).configJson.find("\"shards\":2") != std::string::npos);
    }

    void aKilledRankFailsTheRunAndItResumes()
    {
        const QString db = m_dir.path() + "/killed.sqlite";
        auto args = searchArgs(m_data, 3);
        args << "--nproc" << "2" << "--db" << db;
        QProcess p;
        p.start(SUPERNET_BIN, args);
        QVERIFY(p.waitForStarted());
        QString err;
        while (!err.contains("epoch 1/3") && p.state() == QProcess::Running) {
            p.waitForReadyRead(100);
            err += QString::fromUtf8(p.readAllStandardError());
        }
        QVERIFY2(err.contains("epoch 1/3"), qPrintable(err));
        const auto children = childrenOf(p.processId());
        QCOMPARE(children.size(), 1);
        ::kill(children.front(), SIGKILL);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(p.waitForFinished(60000));
        err += QString::fromUtf8(p.readAllStandardError());
        qInfo("rank 0 ended %.1f s after rank 1 was killed", clock.elapsed() / 1000.0);
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains("data-parallel search, rank 0 of 2"), qPrintable(err));
        QVERIFY2(err.contains(QString("rank 1 (pid %1) was killed by signal 9").arg(children.front())),
                 qPrintable(err));

        std::int64_t id = 0;
        {
            auto store = wb::store::RunStore::open(db.toStdString());
            const auto runs = store.listRuns();
            QCOMPARE(int(runs.size()), 1);
            id = runs[0].id;
            QCOMPARE(QString::fromStdString(wb::statusName(runs[0].status)), QString("failed"));
        }
        const auto badDevice =
            runSupernet({"runs", "resume", QString::number(id), "--db", db, "--device", "gpu"});
        QCOMPARE(badDevice.exitCode, 2);
        QVERIFY2(badDevice.err.contains("must be cpu, cuda or cuda:N"), qPrintable(badDevice.err));
        const auto resumed = runSupernet({"runs", "resume", QString::number(id), "--db", db,
                                          "--nproc", "2", "--device", "cpu", "--json"});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        QCOMPARE(resumed.json["status"].toString(), QString("done"));
        compareEpochs(resumed.json["epochs"].toArray(), m_reference);
        // Resuming needs processes that divide the recorded shards.
        const auto three = runSupernet(
            {"runs", "resume", QString::number(id), "--db", db, "--nproc", "3", "--json"});
        QCOMPARE(three.exitCode, 2);
        QVERIFY2(three.err.contains("searched in 2 shards per batch"), qPrintable(three.err));
    }

    // Two nodes of one machine: node 1 was started with another --epochs.
    void ranksStartedDifferentlyAreRefused()
    {
        const int port = wb::test::freeLoopbackPort();
        const auto node = [&](int rank, int epochs) {
            auto args = searchArgs(m_data, epochs);
            args << "--no-store" << "--nnodes" << "2" << "--node-rank" << QString::number(rank)
                 << "--master" << QString("127.0.0.1:%1").arg(port) << "--rank-timeout" << "20";
            return args;
        };
        QProcess node1;
        node1.start(SUPERNET_BIN, node(1, 4));
        const auto node0 = runSupernet(node(0, 3));
        QVERIFY(node1.waitForFinished(60000));
        QCOMPARE(node0.exitCode, 1);
        QVERIFY2(node0.err.contains("rank 1's launch command differs from rank 0's"),
                 qPrintable(node0.err));
        QCOMPARE(node1.exitCode(), 1);
        QVERIFY(QString::fromUtf8(node1.readAllStandardError()).contains("launch command differs"));
    }

    void aBusyPortIsReported()
    {
        int port = 0;
        const int fd = wb::test::boundLoopbackSocket(port);
        QVERIFY(fd >= 0);
        QVERIFY(::listen(fd, 1) == 0);
        auto args = searchArgs(m_data, 1);
        args << "--no-store" << "--nnodes" << "2" << "--node-rank" << "0" << "--master"
             << QString("127.0.0.1:%1").arg(port) << "--rank-timeout" << "3";
        const auto r = runSupernet(args);
        ::close(fd);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("the port may be in use"), qPrintable(r.err));
    }

    void badFlagsAreRefused()
    {
        const int cores = int(std::thread::hardware_concurrency());
        auto args = searchArgs(m_data, 1);
        // More processes than cores warns; the shard count then stops it before any starts.
        args << "--no-store" << "--nproc" << QString::number(cores + 1) << "--shards" << "1";
        auto r = runSupernet(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QString("--nproc %1 exceeds the %2 cores").arg(cores + 1).arg(cores)),
                 qPrintable(r.err));
        QVERIFY2(r.err.contains("cannot be split among"), qPrintable(r.err));
        args = searchArgs(m_data, 1);
        args << "--no-store" << "--nnodes" << "2";
        r = runSupernet(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("needs --master HOST:PORT"), qPrintable(r.err));
        args = searchArgs(m_data, 1);
        args << "--db" << m_dir.path() + "/queue.sqlite" << "--nproc" << "2" << "--queue";
        r = runSupernet(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("a queued job runs in one process"), qPrintable(r.err));
        args = searchArgs(m_data, 1);
        args << "--no-store" << "--nproc" << "2" << "--master" << "nohost";
        r = runSupernet(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--master: expected HOST:PORT"), qPrintable(r.err));
    }

private:
    QTemporaryDir m_dir;
    QString m_data;
    QJsonArray m_reference;
};

QTEST_APPLESS_MAIN(TestParallelCli)
#include "test_parallel_cli.moc"
