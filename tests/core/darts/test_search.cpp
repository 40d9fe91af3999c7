// End-to-end search and train on a small separable dataset: learning, determinism,
// cancellation, failures.

#include "synthetic_idx.h"
#include "darts/tensor_data.h"
#include "tiny_search.h"
#include "wb/common/error.h"
#include "wb/darts/search.h"

#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

using namespace wb;
using namespace wb::darts;
using wb::RunControl;

namespace {

struct Recorder : RunObserver {
    int steps = 0;
    int epochs = 0;
    int snapshots = 0;
    std::vector<Issue> issues;
    RunControl* stopAfterStep3 = nullptr;
    void onStep(const StepMetrics&) override
    {
        if (++steps == 3 && stopAfterStep3) stopAfterStep3->requestStop();
    }
    void onEpoch(const EpochMetrics&) override { ++epochs; }
    void onAlphas(const AlphaSnapshot&) override { ++snapshots; }
    void onIssue(const Issue& i) override { issues.push_back(i); }
};

} // namespace

class TestSearch : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        wb::test::writeSeparableIdx(m_dir.path().toStdString(), 4, 48, 12);
    }

    void searchLearnsSeparableData()
    {
        Recorder rec;
        RunControl control;
        const auto r = runSearch(config(), control, rec);
        QVERIFY2(r.status == RunStatus::Done, r.error.c_str());
        QCOMPARE(int(r.epochs.size()), 5);
        QCOMPARE(rec.epochs, 5);
        QCOMPARE(rec.snapshots, 5);
        QCOMPARE(rec.steps, 5 * (96 / 16)); // 48/class * 4 classes * 50% / batch 16
        QCOMPARE(r.dataset.trainImages, 96);
        QCOMPARE(r.dataset.valImages, 48);
        QCOMPARE(r.dataset.testImages, 48);
        const double chance = 0.25;
        QVERIFY2(r.epochs.back().valAcc >= chance + 0.45,
                 qPrintable(QString("val acc %1").arg(r.epochs.back().valAcc)));
        QVERIFY(r.epochs.back().trainLoss < r.epochs.front().trainLoss);
        QCOMPARE(int(r.genotype.normal.size()), 2 * 2);
        // alpha rows are softmax distributions.
        for (int e = 0; e < r.alphas.edges; ++e) {
            double sum = 0;
            for (int k = 0; k < 8; ++k)
                sum += r.alphas.normal[e * 8 + k];
            QVERIFY(std::abs(sum - 1) < 1e-5);
        }
        m_genotype = r.genotype;
    }

    void sameSeedSameRun()
    {
        Recorder a, b;
        RunControl ca, cb;
        auto cfg = config();
        cfg.epochs = 2;
        const auto ra = runSearch(cfg, ca, a);
        const auto rb = runSearch(cfg, cb, b);
        QCOMPARE(ra.epochs.size(), rb.epochs.size());
        for (std::size_t i = 0; i < ra.epochs.size(); ++i) {
            QCOMPARE(ra.epochs[i].trainLoss, rb.epochs[i].trainLoss);
            QCOMPARE(ra.epochs[i].valAcc, rb.epochs[i].valAcc);
        }
        QVERIFY(ra.alphas.normal == rb.alphas.normal);
        cfg.runtime.seed = 8;
        Recorder c;
        RunControl cc;
        const auto rc = runSearch(cfg, cc, c);
        QVERIFY(rc.epochs[0].trainLoss != ra.epochs[0].trainLoss);
    }

    void secondOrderRuns()
    {
        Recorder rec;
        RunControl control;
        auto cfg = config();
        cfg.order = 2;
        cfg.epochs = 1;
        cfg.stepsPerEpoch = 2;
        const auto r = runSearch(cfg, control, rec);
        QVERIFY2(r.status == RunStatus::Done, r.error.c_str());
        QCOMPARE(rec.steps, 2);
    }

    void stopEndsCancelled()
    {
        Recorder rec;
        RunControl control;
        rec.stopAfterStep3 = &control;
        const auto r = runSearch(config(), control, rec);
        QVERIFY(r.status == RunStatus::Cancelled);
        QCOMPARE(rec.steps, 3);
        QVERIFY(r.epochs.empty());                  // a partial epoch is not reported as one
        QCOMPARE(int(r.genotype.normal.size()), 4); // but the current cell still is
    }

    void badPathFails()
    {
        Recorder rec;
        RunControl control;
        auto cfg = config();
        cfg.data.path = m_dir.path().toStdString() + "/missing";
        const auto r = runSearch(cfg, control, rec);
        QVERIFY(r.status == RunStatus::Failed);
        QVERIFY2(r.error.find("missing") != std::string::npos, r.error.c_str());
        QVERIFY(!rec.issues.empty() && rec.issues.back().severity == Severity::Error);
    }

    void invalidConfigFails()
    {
        Recorder rec;
        RunControl control;
        auto cfg = config();
        cfg.order = 3;
        const auto r = runSearch(cfg, control, rec);
        QVERIFY(r.status == RunStatus::Failed);
        QVERIFY2(r.error.find("order") != std::string::npos, r.error.c_str());
        // Beta-decay acts on softmax weights: DrNAS' concentrations are refused by name.
        cfg = config();
        cfg.variant = "drnas";
        cfg.betaDecay = 10;
        const auto drnas = runSearch(cfg, control, rec);
        QVERIFY(drnas.status == RunStatus::Failed);
        QVERIFY2(drnas.error.find("beta_decay") != std::string::npos, drnas.error.c_str());
    }

    void divergenceIsReported()
    {
        Recorder rec;
        RunControl control;
        auto cfg = config();
        cfg.weights.lr = 1e12;
        cfg.weights.lrMin = 1e12;
        cfg.weights.gradClip = 1e30;
        const auto r = runSearch(cfg, control, rec);
        QVERIFY(r.status == RunStatus::Failed);
        QVERIFY2(r.error.find("non-finite loss") != std::string::npos, r.error.c_str());
    }

    void trainFoundCell()
    {
        QVERIFY(!m_genotype.normal.empty());
        TrainConfig cfg;
        cfg.data.path = m_dir.path().toStdString();
        cfg.genotype = m_genotype;
        cfg.channels = 4;
        cfg.layers = 3;
        cfg.batchSize = 16;
        cfg.epochs = 4;
        cfg.weights.lr = 0.05;
        cfg.runtime.threads = 1;
        Recorder rec;
        RunControl control;
        const auto r = runTrain(cfg, control, rec);
        QVERIFY2(r.status == RunStatus::Done, r.error.c_str());
        QCOMPARE(int(r.epochs.size()), 4);
        QVERIFY(r.parameters > 0);
        QVERIFY2(r.testAcc >= 0.7, qPrintable(QString("test acc %1").arg(r.testAcc)));
    }

    // Validation with batch statistics visits a class-by-class split in a seeded mixed order: a
    // permutation, the same for a seed, and every 256-image batch holds every class (in stored
    // order the first of 4 x 125 images holds three, the second two).
    void validationBatchesMixTheClasses()
    {
        const auto order = mixedOrder(500, 7);
        QVERIFY(torch::equal(std::get<0>(order.sort()), torch::arange(500)));
        QVERIFY(torch::equal(order, mixedOrder(500, 7)));
        QVERIFY(!torch::equal(order, mixedOrder(500, 8)));
        const auto storedLabels = torch::arange(500).div(125, "floor");
        for (std::int64_t start = 0; start < 500; start += 256) {
            const auto rows = order.slice(0, start, std::min<std::int64_t>(start + 256, 500));
            QCOMPARE(std::get<0>(at::_unique(storedLabels.index_select(0, rows))).size(0),
                     std::int64_t(4));
        }
        QCOMPARE(std::get<0>(at::_unique(storedLabels.slice(0, 0, 256))).size(0),
                 std::int64_t(3));
    }

    void warmupEpochsTrainWeightsOnly()
    {
        struct AlphaLosses : RunObserver {
            std::vector<StepMetrics> steps;
            void onStep(const StepMetrics& m) override { steps.push_back(m); }
        } rec;
        auto cfg = config();
        cfg.epochs = 3;
        cfg.stepsPerEpoch = 2;
        cfg.alphaWarmupEpochs = 2;
        RunControl control;
        const auto r = runSearch(cfg, control, rec);
        QVERIFY2(r.status == RunStatus::Done, r.error.c_str());
        QCOMPARE(int(rec.steps.size()), 6);
        for (const auto& m : rec.steps)
            QCOMPARE(std::isnan(m.alphaLoss), m.epoch <= 2);
        cfg.alphaWarmupEpochs = 3; // no architecture step at all
        QVERIFY(!runSearch(cfg, control, rec).error.empty());
    }

    // Alphas start as 1e-3 N(0, 1) (within about 4e-3 of 0) and Adam moves each by at most about
    // lr a step, so at 3e-4 and 6 steps the weights stay within about 0.125 * 2 * 6e-3 = 1.5e-3
    // of 1/8, while a budget of 6 (lr 1 a step) lets them move far.
    void alphaBudgetRaisesTheRate()
    {
        auto cfg = config();
        cfg.epochs = 2;
        cfg.stepsPerEpoch = 3;
        QCOMPARE(cfg.effectiveAlphaLr(3), 0.5); // the default budget, 3, over 6 steps
        cfg.alphaStepBudget = 0;
        QCOMPARE(cfg.effectiveAlphaLr(3), cfg.alphaLr);
        cfg.alphaStepBudget = 6;
        QCOMPARE(cfg.effectiveAlphaLr(3), 1.0);
        cfg.alphaWarmupEpochs = 1;
        QCOMPARE(cfg.effectiveAlphaLr(3), 2.0);
        cfg.alphaStepBudget = 1e-4; // below alphaLr x steps: the given rate stands
        QCOMPARE(cfg.effectiveAlphaLr(3), cfg.alphaLr);

        const auto spread = [&](double budget) {
            auto c = cfg;
            c.alphaWarmupEpochs = 0;
            c.alphaStepBudget = budget;
            Recorder rec;
            RunControl control;
            const auto r = runSearch(c, control, rec);
            double most = 0;
            for (float w : r.alphas.normal)
                most = std::max(most, std::abs(double(w) - 1.0 / 8));
            return std::pair{most, rec.issues};
        };
        const double still = spread(0).first;
        QVERIFY2(still < 2e-3, qPrintable(QString::number(still)));
        const auto [moved, issues] = spread(6);
        QVERIFY2(moved > 0.05, qPrintable(QString::number(moved)));
        QVERIFY(std::any_of(issues.begin(), issues.end(), [](const Issue& i) {
            return i.code == "alpha_lr" && i.message.find("alpha learning rate 1:") == 0;
        }));
    }

    void splitSeedFixesTheSplitAcrossRunSeeds()
    {
        auto data = config().data;
        const auto splitImages = [&](std::uint64_t seed) {
            const auto d = wb::darts::prepareData(data, seed);
            return std::pair{d.train.x.clone(), d.val.x.clone()};
        };
        // Without it the run's seed draws the split: two seeds, two different training sets.
        const auto [x7, v7] = splitImages(7);
        const auto [x8, v8] = splitImages(8);
        QVERIFY(x7.sizes() == x8.sizes());
        QVERIFY(!x7.equal(x8));
        QVERIFY(!v7.equal(v8));
        data.splitSeed = 7;
        const auto [y7, w7] = splitImages(8);
        QVERIFY(y7.equal(x7));
        QVERIFY(w7.equal(v7));
    }

    void configJsonRoundTrip()
    {
        auto cfg = config();
        cfg.order = 2;
        cfg.primitives = {"none", "skip_connect", "sep_conv_3x3"};
        cfg.alphaStepBudget = 2;
        cfg.alphaWarmupEpochs = 1;
        cfg.betaDecay = 25;
        const auto back = SearchConfig::fromJson(cfg.toJson());
        QCOMPARE(back.betaDecay, 25.0);
        QCOMPARE(QString::fromStdString(back.toJson()), QString::fromStdString(cfg.toJson()));
        // A config stored before the small-budget fields existed searched without them.
        auto old = nlohmann::json::parse(cfg.toJson());
        old.erase("alpha_step_budget");
        old.erase("alpha_warmup_epochs");
        old.erase("beta_decay");
        const auto legacy = SearchConfig::fromJson(old.dump());
        QCOMPARE(legacy.alphaStepBudget, 0.0);
        QCOMPARE(legacy.betaDecay, 0.0);
        QCOMPARE(legacy.alphaWarmupEpochs, 0);
        QVERIFY(!legacy.data.splitSeed);
        cfg.data.splitSeed = 11;
        QCOMPARE(SearchConfig::fromJson(cfg.toJson()).data.splitSeed.value_or(0), 11u);
        bool threw = false;
        try {
            SearchConfig::fromJson("[1, 2]");
        } catch (const wb::Error&) {
            threw = true;
        }
        QVERIFY(threw);
    }

private:
    SearchConfig config() const
    {
        auto cfg = wb::test::tinySearchConfig(m_dir.path().toStdString(), 5);
        cfg.weights.lr = 0.05;
        cfg.runtime.seed = 7;
        return cfg;
    }

    QTemporaryDir m_dir;
    Genotype m_genotype;
};

QTEST_APPLESS_MAIN(TestSearch)
#include "test_search.moc"
