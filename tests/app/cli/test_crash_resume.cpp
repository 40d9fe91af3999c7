// A real search process killed with SIGKILL in the middle of an epoch: the database stays
// intact, the run shows as interrupted, `runs resume` completes it, at most one epoch is lost,
// and the resumed metrics equal those of an uninterrupted run with the same seed.

#include "synthetic_idx.h"
#include "wb/store/run_store.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <csignal>

namespace {

QStringList searchArgs(const QString& data, const QString& db)
{
    return {"search",   "--data",    data,      "--db",   db,        "--channels", "4",
            "--layers", "3",         "--nodes", "2",      "--batch", "8",          "--epochs",
            "4",        "--threads", "1",       "--seed", "11",      "--json"};
}

QJsonObject runToEnd(const QStringList& args)
{
    QProcess p;
    p.start(SUPERNET_BIN, args);
    if (!p.waitForFinished(300000)) p.kill();
    return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
}

QString integrityCheck(const QString& path)
{
    sqlite3* db = nullptr;
    QString result = "cannot open";
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) ==
        SQLITE_OK) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            result = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return result;
}

} // namespace

class TestCrashResume : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void killedSearchResumes()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString data = dir.path() + "/data";
        QVERIFY(QDir().mkpath(data));
        wb::test::writeSeparableIdx(data.toStdString(), 4, 40, 10);

        const auto reference = runToEnd(searchArgs(data, dir.path() + "/reference.sqlite"));
        QCOMPARE(reference["status"].toString(), QString("done"));

        const QString db = dir.path() + "/ws.sqlite";
        QProcess p;
        p.start(SUPERNET_BIN, searchArgs(data, db));
        QVERIFY(p.waitForStarted());
        QString err;
        QElapsedTimer clock;
        clock.start();
        qint64 epoch1At = -1;
        while (!err.contains("epoch 2/4") && p.state() == QProcess::Running) {
            p.waitForReadyRead(100);
            err += QString::fromUtf8(p.readAllStandardError());
            if (epoch1At < 0 && err.contains("epoch 1/4")) epoch1At = clock.elapsed();
        }
        QVERIFY2(err.contains("epoch 2/4"), qPrintable(err));
        // Half an epoch later the process is in the middle of epoch 3.
        QTest::qWait(int((clock.elapsed() - epoch1At) / 2));
        QCOMPARE(p.state(), QProcess::Running);
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished(10000));

        QCOMPARE(integrityCheck(db), QString("ok"));
        std::int64_t id = 0;
        {
            auto store = wb::store::RunStore::open(db.toStdString());
            const auto runs = store.listRuns();
            QCOMPARE(int(runs.size()), 1);
            id = runs[0].id;
            QCOMPARE(QString::fromStdString(wb::statusName(runs[0].status)),
                     QString("interrupted"));
            QVERIFY2(runs[0].epochs >= 2, "more than the epoch in flight was lost");
            qInfo("killed mid-epoch 3: %d epochs recorded, status %s", runs[0].epochs,
                  wb::statusName(runs[0].status).c_str());
        }

        QProcess resume;
        resume.start(SUPERNET_BIN, {"runs", "resume", QString::number(id), "--db", db, "--json"});
        QVERIFY(resume.waitForFinished(300000));
        QCOMPARE(resume.exitCode(), 0);
        const auto resumed = QJsonDocument::fromJson(resume.readAllStandardOutput()).object();
        QCOMPARE(resumed["status"].toString(), QString("done"));
        const auto a = resumed["epochs"].toArray();
        const auto b = reference["epochs"].toArray();
        QCOMPARE(a.size(), 4);
        QCOMPARE(b.size(), 4);
        for (int i = 0; i < 4; ++i) {
            qInfo("epoch %d  resumed: train loss %.6f val acc %.4f | uninterrupted: train loss "
                  "%.6f val acc %.4f",
                  i + 1, a[i].toObject()["train_loss"].toDouble(),
                  a[i].toObject()["val_acc"].toDouble(), b[i].toObject()["train_loss"].toDouble(),
                  b[i].toObject()["val_acc"].toDouble());
            for (const char* key : {"train_loss", "val_loss", "val_acc"})
                QVERIFY2(std::abs(a[i].toObject()[key].toDouble() -
                                  b[i].toObject()[key].toDouble()) < 1e-6,
                         qPrintable(QString("epoch %1 %2").arg(i + 1).arg(key)));
        }
        QCOMPARE(integrityCheck(db), QString("ok"));
        auto store = wb::store::RunStore::open(db.toStdString());
        QCOMPARE(QString::fromStdString(wb::statusName(store.run(id).status)), QString("done"));
        QCOMPARE(int(store.epochs(id).size()), 4);
    }
};

QTEST_APPLESS_MAIN(TestCrashResume)
#include "test_crash_resume.moc"
