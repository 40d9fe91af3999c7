// Mixed precision and the host-sync-free step loop: the loss scaler's rule, the clip that never
// reads the norm back, autocast really lowering the forward pass (bfloat16 on the CPU), a
// bfloat16 search that learns like float32, and step metrics read in batches that equal the
// metrics read after every step.

#include "synthetic_idx.h"
#include "darts/architect.h"
#include "darts/mixed_precision.h"
#include "darts/supernet.h"
#include "tiny_search.h"
#include "wb/darts/search.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <limits>

using namespace wb;
using namespace wb::darts;

namespace {

struct StepLog : RunObserver {
    std::vector<StepMetrics> steps;
    void onStep(const StepMetrics& m) override { steps.push_back(m); }
};

struct Fixture {
    Supernet net{nullptr};
    Batch batch;
    explicit Fixture(const SearchConfig& c)
    {
        torch::manual_seed(5);
        net = Supernet(SupernetSpec::of(c, 1, 4));
        batch = {torch::randn({16, 1, 10, 10}), torch::randint(4, {16})};
    }
};

std::vector<torch::Tensor> clones(const std::vector<torch::Tensor>& ts)
{
    std::vector<torch::Tensor> out;
    for (const auto& t : ts)
        out.push_back(t.detach().clone());
    return out;
}

} // namespace

class TestMixedPrecision : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        wb::test::writeSeparableIdx(m_dir.path().toStdString(), 4, 32, 10);
    }

    void lossScalerUnscalesSkipsAndAdapts()
    {
        LossScaler scaler(8.0, 3);
        QCOMPARE(scaler.scale(torch::tensor(0.5)).item<double>(), 4.0);
        auto a = torch::tensor({8.0f, -16.0f});
        auto b = torch::tensor({4.0f});
        QVERIFY(scaler.unscale({a, b, torch::Tensor()})); // an unused weight has no gradient
        QVERIFY(torch::equal(a, torch::tensor({1.0f, -2.0f})));
        QVERIFY(torch::equal(b, torch::tensor({0.5f})));
        QCOMPARE(scaler.value(), 8.0);
        QVERIFY(!scaler.unscale({torch::tensor({std::numeric_limits<float>::infinity()})}));
        QCOMPARE(scaler.value(), 4.0); // an overflow halves the scale
        QVERIFY(!scaler.unscale({torch::tensor({std::nanf("")})}));
        QCOMPARE(scaler.value(), 2.0);
        for (int i = 0; i < 2; ++i)
            QVERIFY(scaler.unscale({torch::ones({1})}));
        QCOMPARE(scaler.value(), 2.0);
        QVERIFY(scaler.unscale({torch::ones({1})}));
        QCOMPARE(scaler.value(), 4.0); // three good steps in a row double it
    }

    // Bit for bit what torch::nn::utils::clip_grad_norm_ does, above and below the limit.
    void clipEqualsTorchsClip()
    {
        for (const double maxNorm : {0.1, 1e3}) {
            torch::manual_seed(1);
            std::vector<torch::Tensor> mine{torch::randn({3, 4}, torch::requires_grad()),
                                            torch::randn({5}, torch::requires_grad())};
            auto theirs = clones(mine);
            for (std::size_t i = 0; i < mine.size(); ++i) {
                theirs[i].set_requires_grad(true);
                mine[i].mutable_grad() = torch::randn_like(mine[i]);
                theirs[i].mutable_grad() = mine[i].grad().clone();
            }
            clipGradNorm(mine, maxNorm);
            torch::nn::utils::clip_grad_norm_(theirs, maxNorm);
            for (std::size_t i = 0; i < mine.size(); ++i)
                QVERIFY(torch::equal(mine[i].grad(), theirs[i].grad()));
        }
    }

    // Autocast lowers the convolutions inside the scope only; the loss sees float32 logits.
    void autocastLowersTheForwardPassOnTheCpu()
    {
        Fixture f(config_("autocast"));
        const MixedPrecision bf16{torch::kBFloat16, c10::DeviceType::CPU, nullptr};
        auto conv = torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 2, 3));
        {
            Autocast scope(bf16);
            QVERIFY(conv(f.batch.x).scalar_type() == torch::kBFloat16);
        }
        QVERIFY(conv(f.batch.x).scalar_type() == torch::kFloat32);
        const auto forward = [&](const torch::Tensor& x) { return f.net->forward(x); };
        const auto low = bf16.logits(forward, f.batch.x);
        const auto full = MixedPrecision{}.logits(forward, f.batch.x);
        QVERIFY(low.scalar_type() == torch::kFloat32);
        const double diff = (low - full).abs().max().item<double>();
        qInfo("largest logit difference, bfloat16 vs float32 forward: %.3g", diff);
        QVERIFY(diff > 0);   // the pass did run in lower precision ...
        QVERIFY(diff < 0.1); // ... and bfloat16's 8-bit mantissa stays close
    }

    // Scaling by a power of two and unscaling is exact in float32: with a scaler, the weight and
    // alpha steps move the parameters exactly as without one. An overflowing scale skips both.
    void scaledStepsEqualUnscaledStepsAndOverflowSkips()
    {
        const auto run = [&](LossScaler* scaler) {
            Fixture f(config_("scaled"));
            torch::optim::SGD sgd(f.net->parameters(), torch::optim::SGDOptions(0.1));
            torch::optim::Adam adam(f.net->alphas(), torch::optim::AdamOptions(0.01));
            const MixedPrecision precision{std::nullopt, c10::DeviceType::CPU, scaler};
            DartsArchitect arch(f.net, sgd, adam, 1, -1, 0.9, 3e-4, DartsArchitect::kHvpScale, 0,
                                RankGroup::solo(), precision);
            arch.alphaStep({f.batch}, {f.batch}, 0.1);
            const auto forward = [&](const torch::Tensor& x) { return f.net->forward(x); };
            weightStep(forward, sgd, f.net->parameters(), {f.batch}, 5.0, RankGroup::solo(),
                       precision);
            auto all = clones(f.net->parameters());
            for (const auto& a : f.net->alphas())
                all.push_back(a.detach().clone());
            return all;
        };
        const auto plain = run(nullptr);
        LossScaler scaler;
        const auto scaled = run(&scaler);
        for (std::size_t i = 0; i < plain.size(); ++i)
            QVERIFY(torch::equal(plain[i], scaled[i]));
        QCOMPARE(scaler.value(), 65536.0);

        Fixture untouched(config_("scaled"));
        const auto before = clones(untouched.net->parameters());
        LossScaler huge(std::ldexp(1.0, 200), 2000); // beyond float32: the scaled loss is inf
        const auto skipped = run(&huge);
        for (std::size_t i = 0; i < before.size(); ++i)
            QVERIFY(torch::equal(before[i], skipped[i]));
        QCOMPARE(huge.value(), std::ldexp(1.0, 198)); // halved by both steps
    }

    void bfloat16SearchLearnsLikeFloat32()
    {
        RunControl control;
        StepLog log32, log16;
        const auto full = runSearch(config_("fp32", 2), control, log32);
        auto c = config_("bf16", 2);
        c.runtime.amp = "bf16";
        const auto half = runSearch(c, control, log16);
        QVERIFY2(full.status == RunStatus::Done, full.error.c_str());
        QVERIFY2(half.status == RunStatus::Done, half.error.c_str());
        QCOMPARE(QString::fromStdString(half.config.runtime.amp), QString("bf16"));
        const auto& a = full.epochs.back();
        const auto& b = half.epochs.back();
        qInfo("epoch 2: train loss %.4f (float32) vs %.4f (bfloat16), val acc %.3f vs %.3f",
              a.trainLoss, b.trainLoss, a.valAcc, b.valAcc);
        QVERIFY(b.trainLoss < half.epochs.front().trainLoss + 0.05); // it learns
        QVERIFY(std::abs(a.trainLoss - b.trainLoss) < 0.1);
        QVERIFY(std::abs(a.valAcc - b.valAcc) < 0.2);
    }

    void float16OnTheCpuIsRefused()
    {
        auto c = config_("fp16", 1);
        c.runtime.amp = "fp16";
        RunControl control;
        RunObserver silent;
        const auto r = runSearch(c, control, silent);
        QVERIFY(r.status == RunStatus::Failed);
        QVERIFY2(r.error.find("fp16 needs a CUDA device (on the CPU use bf16)") !=
                     std::string::npos,
                 r.error.c_str());
    }

    // Reading the step metrics every 4 steps (a GPU's way) reports the same steps, values and
    // epochs as reading them after every step.
    void metricsReadInBatchesEqualEveryStep()
    {
        RunControl control;
        StepLog each, batched;
        auto c = config_("each", 2);
        c.stepsPerEpoch = 6;
        const auto a = runSearch(c, control, each);
        c.runtime.metricsEvery = 4;
        c.checkpointDir = m_dir.path().toStdString() + "/batched";
        const auto b = runSearch(c, control, batched);
        QVERIFY2(a.status == RunStatus::Done && b.status == RunStatus::Done, b.error.c_str());
        QCOMPARE(batched.steps.size(), std::size_t(12));
        QCOMPARE(batched.steps.size(), each.steps.size());
        for (std::size_t i = 0; i < each.steps.size(); ++i) {
            QCOMPARE(batched.steps[i].epoch, each.steps[i].epoch);
            QCOMPARE(batched.steps[i].step, each.steps[i].step);
            QCOMPARE(batched.steps[i].trainLoss, each.steps[i].trainLoss);
            QCOMPARE(batched.steps[i].trainAcc, each.steps[i].trainAcc);
            QCOMPARE(batched.steps[i].alphaLoss, each.steps[i].alphaLoss);
        }
        for (std::size_t e = 0; e < a.epochs.size(); ++e) {
            QCOMPARE(b.epochs[e].trainLoss, a.epochs[e].trainLoss);
            QCOMPARE(b.epochs[e].valLoss, a.epochs[e].valLoss);
        }
    }

    // A non-finite loss found in a batch of steps names the step it came from.
    void divergenceInABatchNamesItsStep()
    {
        std::string errors[2];
        for (const int every : {1, 5}) {
            auto c = config_("diverge", 1);
            c.stepsPerEpoch = 6;
            c.weights.lr = c.weights.lrMin = 1e12;
            c.weights.gradClip = 1e30;
            c.runtime.metricsEvery = every;
            RunControl control;
            RunObserver silent;
            const auto r = runSearch(c, control, silent);
            QVERIFY(r.status == RunStatus::Failed);
            errors[every == 5] = r.error;
        }
        QVERIFY2(errors[0].find("non-finite loss at epoch 1, step") != std::string::npos,
                 errors[0].c_str());
        QCOMPARE(QString::fromStdString(errors[1]), QString::fromStdString(errors[0]));
    }

private:
    SearchConfig config_(const std::string& name, int epochs = 1) const
    {
        auto c = wb::test::tinySearchConfig(m_dir.path().toStdString(), epochs);
        c.runtime.seed = 3;
        c.checkpointDir = m_dir.path().toStdString() + "/" + name;
        return c;
    }

    QTemporaryDir m_dir;
};

QTEST_APPLESS_MAIN(TestMixedPrecision)
#include "test_mixed_precision.moc"
