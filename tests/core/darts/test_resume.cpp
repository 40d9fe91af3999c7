// Checkpoints and resume: a resumed search reproduces the uninterrupted one at one thread, and a
// corrupt newest checkpoint falls back to the previous one.

#include "synthetic_idx.h"
#include "darts/tensor_data.h"
#include "tiny_search.h"
#include "wb/common/error.h"
#include "wb/darts/checkpoint_meta.h"
#include "wb/darts/search.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>

using namespace wb;
using namespace wb::darts;
using wb::RunControl;

namespace {

// Records checkpoints; optionally stops the run during the step after `stopAfterEpoch`.
struct Recorder : RunObserver {
    std::vector<CheckpointInfo> checkpoints;
    std::vector<Issue> issues;
    RunControl* control = nullptr;
    int stopAfterEpoch = 0;
    int lastEpoch = 0;
    void onEpoch(const EpochMetrics& m) override { lastEpoch = m.epoch; }
    void onStep(const StepMetrics& m) override
    {
        if (control && stopAfterEpoch && m.epoch == stopAfterEpoch + 1 && m.step == 2)
            control->requestStop();
    }
    void onIssue(const Issue& i) override { issues.push_back(i); }
    void onCheckpoint(const CheckpointInfo& c) override { checkpoints.push_back(c); }
    std::vector<CheckpointInfo> newestFirst() const
    {
        return {checkpoints.rbegin(), checkpoints.rend()};
    }
};

void compareEpochs(const std::vector<EpochMetrics>& a, const std::vector<EpochMetrics>& b)
{
    QCOMPARE(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i].epoch, b[i].epoch);
        QVERIFY2(std::abs(a[i].trainLoss - b[i].trainLoss) < 1e-6,
                 qPrintable(QString("epoch %1 train loss %2 vs %3")
                                .arg(i + 1)
                                .arg(a[i].trainLoss)
                                .arg(b[i].trainLoss)));
        QVERIFY(std::abs(a[i].valLoss - b[i].valLoss) < 1e-6);
        QVERIFY(std::abs(a[i].valAcc - b[i].valAcc) < 1e-9);
    }
}

} // namespace

class TestResume : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        wb::test::writeSeparableIdx(m_dir.path().toStdString(), 4, 32, 10);
        RunControl control;
        Recorder rec;
        m_full = runSearch(config("full"), control, rec);
        QVERIFY2(m_full.status == RunStatus::Done, m_full.error.c_str());
        QCOMPARE(int(rec.checkpoints.size()), 4);
        for (const auto& c : rec.checkpoints) {
            QVERIFY(std::filesystem::is_regular_file(c.path));
            QCOMPARE(int(c.sha256.size()), 64);
        }
        QVERIFY(rec.checkpoints.front().best); // the first epoch is the best so far
    }

    void resumeReproducesTheUninterruptedRun()
    {
        RunControl control;
        Recorder rec;
        rec.control = &control;
        rec.stopAfterEpoch = 2;
        const auto cfg = config("stopped");
        const auto stopped = runSearch(cfg, control, rec);
        QVERIFY(stopped.status == RunStatus::Cancelled);
        QCOMPARE(int(stopped.epochs.size()), 2);
        QCOMPARE(int(rec.checkpoints.size()), 2);

        RunControl control2;
        Recorder rec2;
        const auto resumed = resumeSearch(cfg, rec.newestFirst(), control2, rec2);
        QVERIFY2(resumed.status == RunStatus::Done, resumed.error.c_str());
        compareEpochs(resumed.epochs, m_full.epochs);
        QVERIFY(resumed.alphas.normal == m_full.alphas.normal ||
                std::equal(resumed.alphas.normal.begin(), resumed.alphas.normal.end(),
                           m_full.alphas.normal.begin(),
                           [](float x, float y) { return std::abs(x - y) < 1e-6f; }));
        QCOMPARE(int(rec2.checkpoints.size()), 2); // epochs 3 and 4
        QCOMPARE(rec2.checkpoints.front().epoch, 3);
    }

    void corruptCheckpointFallsBack()
    {
        RunControl control;
        Recorder rec;
        rec.control = &control;
        rec.stopAfterEpoch = 2;
        const auto cfg = config("corrupt");
        runSearch(cfg, control, rec);
        QCOMPARE(int(rec.checkpoints.size()), 2);
        std::filesystem::resize_file(rec.checkpoints.back().path,
                                     std::filesystem::file_size(rec.checkpoints.back().path) / 2);

        RunControl control2;
        Recorder rec2;
        const auto resumed = resumeSearch(cfg, rec.newestFirst(), control2, rec2);
        QVERIFY2(resumed.status == RunStatus::Done, resumed.error.c_str());
        bool warned = false;
        for (const auto& i : rec2.issues)
            warned |= i.code == "checkpoint.bad" &&
                      i.message.find("checksum mismatch") != std::string::npos;
        QVERIFY(warned);
        compareEpochs(resumed.epochs, m_full.epochs); // resumed from epoch 1 instead
        QCOMPARE(rec2.checkpoints.front().epoch, 2);
    }

    void noUsableCheckpointFails()
    {
        const auto cfg = config("none");
        RunControl control;
        Recorder rec;
        CheckpointInfo missing;
        missing.path = cfg.checkpointDir + "/epoch-0001.pt";
        const auto r = resumeSearch(cfg, {missing}, control, rec);
        QVERIFY(r.status == RunStatus::Failed);
        QVERIFY2(r.error.find("no usable checkpoint") != std::string::npos, r.error.c_str());
    }

    // A checkpoint's sampler state is our own text format: indices outside the split are
    // refused (they used to be taken as the batch order) and the sampler stays as it was.
    void samplerStateIsValidated()
    {
        BatchSampler sampler(6, 2, 1);
        const auto good = sampler.state();
        const auto firstBatch = sampler.next();
        auto bad = good;
        bad.replace(bad.rfind(' ') + 1, std::string::npos, "6");
        try {
            sampler.restore(bad);
            QFAIL("accepted");
        } catch (const wb::Error& e) {
            QVERIFY2(std::string(e.what()).find("index 6, outside the split (6 items)") !=
                         std::string::npos,
                     e.what());
        }
        sampler.restore(good);
        QVERIFY(torch::equal(sampler.next(), firstBatch));
        try {
            sampler.restore(good.substr(0, good.rfind(' ')));
            QFAIL("accepted a truncated state");
        } catch (const wb::Error& e) {
            QVERIFY2(std::string(e.what()).find("truncated") != std::string::npos, e.what());
        }
    }

    // The history table of a crafted checkpoint: a wrong column count would read past each row,
    // and an epoch of NaN or 1e300 would be an undefined conversion to int.
    void historyIsValidated()
    {
        const std::vector<double> good = {1, 2.3, 0.1, 2.2, 0.2, 0.025, 1.5,
                                          2, 2.1, 0.2, 2.0, 0.3, 0.013, 1.4};
        const auto h = historyFromRows(good.data(), 2, kHistoryColumns);
        QCOMPARE(int(h.size()), 2);
        QCOMPARE(h[1].epoch, 2);
        QCOMPARE(h[1].valAcc, 0.3);
        QCOMPARE(h[1].seconds, 1.4);
        const auto refused = [&](std::vector<double> values, std::int64_t rows,
                                 std::int64_t columns, const char* why) {
            try {
                historyFromRows(values.data(), rows, columns);
                QFAIL("accepted");
            } catch (const wb::Error& e) {
                QVERIFY2(std::string(e.what()).find(why) != std::string::npos, e.what());
            }
        };
        refused(good, 2, 6, "6 columns, not 7");
        auto bad = good;
        bad[7] = std::nan("");
        refused(bad, 2, kHistoryColumns, "row 2 is not epoch 2");
        bad[7] = 1e300;
        refused(bad, 2, kHistoryColumns, "row 2 is not epoch 2");
    }

private:
    SearchConfig config(const std::string& name) const
    {
        auto cfg = wb::test::tinySearchConfig(m_dir.path().toStdString(), 4);
        cfg.runtime.seed = 5;
        cfg.checkpointDir = m_dir.path().toStdString() + "/" + name;
        return cfg;
    }

    QTemporaryDir m_dir;
    SearchResult m_full;
};

QTEST_APPLESS_MAIN(TestResume)
#include "test_resume.moc"
