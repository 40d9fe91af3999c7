// The from-scratch training of a found cell: checkpoints every epoch and a resume that
// reproduces the uninterrupted run (with DARTS' auxiliary head, drop-path and cutout drawing
// random numbers), a test result only after the last epoch, and the regularisers themselves.

#include "darts/eval_network.h"
#include "darts/train_augment.h"
#include "synthetic_idx.h"
#include "wb/darts/search.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <filesystem>
#include <optional>

using namespace wb;
using namespace wb::darts;

namespace {

const char* const kGenotype =
    "Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1), ('dil_conv_3x3', 0), "
    "('max_pool_3x3', 1), ('sep_conv_5x5', 2), ('avg_pool_3x3', 0), ('skip_connect', 3), "
    "('sep_conv_3x3', 2)], normal_concat=range(2, 6), reduce=[('max_pool_3x3', 0), "
    "('skip_connect', 1), ('dil_conv_5x5', 2), ('max_pool_3x3', 1), ('sep_conv_3x3', 0), "
    "('skip_connect', 2), ('avg_pool_3x3', 3), ('dil_conv_3x3', 1)], reduce_concat=range(2, 6))";

struct Recorder : RunObserver {
    std::vector<CheckpointInfo> checkpoints;
    std::optional<TestMetrics> test;
    RunControl* control = nullptr;
    int stopAfterEpoch = 0;
    void onStep(const StepMetrics& m) override
    {
        if (control && stopAfterEpoch && m.epoch == stopAfterEpoch + 1 && m.step == 1)
            control->requestStop();
    }
    void onCheckpoint(const CheckpointInfo& c) override { checkpoints.push_back(c); }
    void onTest(const TestMetrics& t) override { test = t; }
};

} // namespace

class TestTrain : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        std::filesystem::create_directories(m_dir.path().toStdString() + "/data");
        wb::test::writeSeparableIdx(m_dir.path().toStdString() + "/data", 4, 24, 10);
        torch::set_num_threads(1);
    }

    void resumedTrainingReproducesTheUninterruptedOne()
    {
        RunControl control;
        Recorder full;
        const auto a = runTrain(config("full"), control, full);
        QVERIFY2(a.status == RunStatus::Done, a.error.c_str());
        QCOMPARE(int(full.checkpoints.size()), 4); // one per epoch
        QVERIFY(full.test.has_value());
        QCOMPARE(full.test->acc, a.testAcc);
        QCOMPARE(full.test->parameters, a.parameters);

        RunControl stopControl;
        Recorder stopped;
        stopped.control = &stopControl;
        stopped.stopAfterEpoch = 2;
        const auto cfg = config("stopped");
        const auto b = runTrain(cfg, stopControl, stopped);
        QVERIFY(b.status == RunStatus::Cancelled);
        QCOMPARE(int(b.epochs.size()), 2);
        QVERIFY(!stopped.test.has_value()); // a stopped training is not tested

        RunControl control2;
        Recorder resumed;
        const std::vector<CheckpointInfo> newestFirst(stopped.checkpoints.rbegin(),
                                                      stopped.checkpoints.rend());
        const auto c = resumeTrain(cfg, newestFirst, control2, resumed);
        QVERIFY2(c.status == RunStatus::Done, c.error.c_str());
        QCOMPARE(c.epochs.size(), a.epochs.size());
        for (std::size_t i = 0; i < a.epochs.size(); ++i) {
            QVERIFY2(std::abs(c.epochs[i].trainLoss - a.epochs[i].trainLoss) < 1e-6,
                     qPrintable(QString("epoch %1: %2 vs %3")
                                    .arg(i + 1)
                                    .arg(c.epochs[i].trainLoss)
                                    .arg(a.epochs[i].trainLoss)));
            QVERIFY(std::abs(c.epochs[i].valLoss - a.epochs[i].valLoss) < 1e-6);
        }
        QVERIFY(std::abs(c.testLoss - a.testLoss) < 1e-6);
        QCOMPARE(resumed.checkpoints.front().epoch, 3);
    }

    void auxiliaryHeadOnlyInTrainingAndNotExported()
    {
        const auto g = Genotype::parse(kGenotype);
        torch::manual_seed(0);
        EvalNetwork plain(g, 1, 5, 4, 6);
        torch::manual_seed(0);
        EvalNetwork aux(g, 1, 5, 4, 6, /*auxiliary=*/true);
        const auto x = torch::randn({3, 1, 16, 16});
        aux->train();
        const auto out = aux->forwardAll(x);
        QVERIFY(out.auxiliary.defined());
        QCOMPARE(out.auxiliary.sizes().vec(), (std::vector<std::int64_t>{3, 5}));
        aux->eval();
        QVERIFY(!aux->forwardAll(x).auxiliary.defined());
        // The exported tensors are the main network's: those of the network without the head.
        const auto a = aux->exportedTensors();
        const auto p = plain->exportedTensors();
        QCOMPARE(a.size(), p.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(a[i].first, p[i].first);
            QVERIFY(!a[i].first.starts_with("auxiliary"));
        }
        QVERIFY(aux->parameters().size() > plain->parameters().size());
    }

    void dropPathActsOnlyInTrainingMode()
    {
        torch::manual_seed(1);
        EvalNetwork net(Genotype::parse(kGenotype), 1, 5, 4, 3);
        const auto x = torch::randn({8, 1, 12, 12});
        net->eval();
        const auto reference = net->forward(x);
        net->setDropPath(0.9);
        QVERIFY(torch::equal(net->forward(x), reference));
        // In training mode whole samples of each op's output are dropped: the outputs change.
        net->train();
        torch::manual_seed(2);
        const auto dropped = net->forward(x);
        net->setDropPath(0);
        torch::manual_seed(2);
        const auto kept = net->forward(x);
        QVERIFY(!torch::allclose(dropped, kept));
    }

    void cutoutZeroesOneClippedSquarePerImage()
    {
        torch::manual_seed(3);
        const int length = 6, size = 16;
        const auto out = cutout(torch::ones({64, 2, size, size}), length);
        bool sawWhole = false, sawClipped = false;
        for (std::int64_t n = 0; n < out.size(0); ++n) {
            const auto hole = out[n][0].eq(0);
            QVERIFY(torch::equal(hole, out[n][1].eq(0))); // the same square in every channel
            const auto rows = hole.any(1).nonzero().flatten();
            const auto cols = hole.any(0).nonzero().flatten();
            const auto h = rows.numel(), w = cols.numel();
            // A rectangle: its bounding box is all zero, and its sides are contiguous.
            QCOMPARE(hole.sum().item<std::int64_t>(), h * w);
            QCOMPARE(rows[-1].item<std::int64_t>() - rows[0].item<std::int64_t>() + 1, h);
            QCOMPARE(cols[-1].item<std::int64_t>() - cols[0].item<std::int64_t>() + 1, w);
            // Centred on a pixel of the image: each side keeps at least length / 2 pixels.
            QVERIFY(h >= length / 2 && h <= length && w >= length / 2 && w <= length);
            sawWhole |= h == length && w == length;
            sawClipped |= h < length || w < length;
        }
        QVERIFY(sawWhole && sawClipped);
    }

    void configKeepsTheRegularisersAndRefusesBadValues()
    {
        auto cfg = config("json");
        const auto back = TrainConfig::fromJson(cfg.toJson());
        QCOMPARE(back.auxiliaryWeight, 0.4);
        QCOMPARE(back.dropPath, 0.2);
        QCOMPARE(back.cutout, 4);
        cfg.dropPath = 1;
        RunControl control;
        Recorder rec;
        const auto r = runTrain(cfg, control, rec);
        QVERIFY(r.status == RunStatus::Failed);
        QVERIFY2(r.error.find("drop_path") != std::string::npos, r.error.c_str());
    }

private:
    TrainConfig config(const std::string& name) const
    {
        TrainConfig c;
        c.data.path = m_dir.path().toStdString() + "/data";
        c.genotype = Genotype::parse(kGenotype);
        c.runtime.threads = 1;
        c.runtime.seed = 5;
        c.channels = 4;
        c.layers = 3;
        c.batchSize = 16;
        c.epochs = 4;
        c.auxiliaryWeight = 0.4;
        c.dropPath = 0.2;
        c.cutout = 4;
        c.checkpointDir = m_dir.path().toStdString() + "/" + name;
        return c;
    }

    QTemporaryDir m_dir;
};

QTEST_APPLESS_MAIN(TestTrain)
#include "test_train.moc"
