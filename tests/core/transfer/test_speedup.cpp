// The speed-up metric and the experiment table on hand-made curves.

#include "wb/common/error.h"
#include "wb/transfer/experiment_report.h"
#include "wb/transfer/speedup.h"

#include <QTest>

using namespace wb::transfer;

class TestSpeedup : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void epochsToReachIsFirstEpochAtOrAbove()
    {
        const std::vector<double> curve = {0.2, 0.5, 0.4, 0.7, 0.7};
        QCOMPARE(*epochsToReach(curve, 0.5), 2);
        QCOMPARE(*epochsToReach(curve, 0.45), 2);
        QCOMPARE(*epochsToReach(curve, 0.7), 4);
        QVERIFY(!epochsToReach(curve, 0.71));
        QVERIFY(!epochsToReach({}, 0.1));
    }

    void speedUpIsScratchEpochsOverWarmEpochs()
    {
        // Scratch peaks at 0.6 in epoch 6; the warm arm passes 0.6 in epoch 2: 3x.
        const auto s = speedUp({0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, {0.4, 0.65, 0.7, 0.7, 0.7, 0.7});
        QCOMPARE(s.scratchBest, 0.6);
        QCOMPARE(s.scratchEpochs, 6);
        QCOMPARE(*s.warmEpochs, 2);
        QCOMPARE(*s.factor, 3.0);
        // The scratch arm's best is its first maximum: epoch 3 here, even though it repeats.
        const auto t = speedUp({0.3, 0.5, 0.8, 0.8, 0.7}, {0.8, 0.1});
        QCOMPARE(t.scratchEpochs, 3);
        QCOMPARE(*t.factor, 3.0);
        // A warm arm slower than scratch gives a factor below 1.
        QCOMPARE(*speedUp({0.5, 0.9}, {0.1, 0.2, 0.9}).factor, 2.0 / 3.0);
    }

    void neverReachingIsAnOutcome()
    {
        const auto s = speedUp({0.2, 0.6, 0.5}, {0.3, 0.4, 0.59});
        QCOMPARE(s.scratchEpochs, 2);
        QVERIFY(!s.warmEpochs);
        QVERIFY(!s.factor);
        QVERIFY_THROWS_EXCEPTION(wb::Error, speedUp({}, {0.5}));
    }

    void toleranceOfOneStandardErrorAndAucGain()
    {
        // 0.98 on 100 validation images: one standard error is sqrt(0.98 * 0.02 / 100) = 0.014.
        const double se = binomialStandardError(0.98, 100);
        QVERIFY(std::abs(se - 0.014) < 1e-12);
        QCOMPARE(binomialStandardError(0.5, 0), 0.0);
        // The warm arm ends 0.8 points short of scratch's best: never reached exactly, but at
        // epoch 2 within one standard error (target 0.966), where scratch got at epoch 4.
        const std::vector<double> scratch = {0.90, 0.95, 0.96, 0.97, 0.98};
        const std::vector<double> warm = {0.95, 0.967, 0.970, 0.972, 0.972};
        QVERIFY(!speedUp(scratch, warm).factor);
        const auto within = speedUp(scratch, warm, se);
        QVERIFY(std::abs(within.target - 0.966) < 1e-12);
        QCOMPARE(within.scratchEpochs, 4);
        QCOMPARE(*within.warmEpochs, 2);
        QCOMPARE(*within.factor, 2.0);
        // AUC gain: the mean of warm - scratch over the common epochs.
        QVERIFY(std::abs(aucGain({0.2, 0.4}, {0.5, 0.5, 0.9}) - 0.2) < 1e-12);
        QVERIFY(std::abs(aucGain(scratch, warm) - 0.0142) < 1e-12); // (0.05 + ... - 0.008) / 5
        QCOMPARE(aucGain({}, warm), 0.0);
    }

    void tableAveragesOverSeedsAndShowsNotReached()
    {
        std::vector<ArmOutcome> o = {
            {"T", "scratch", 0, "", {}, {0.2, 0.4, 0.6, 0.6}, 0.50, 100, ""},
            {"T", "scratch", 1, "", {}, {0.3, 0.5, 0.5, 0.5}, 0.60, 120, ""},
            {"T", "ot", 0, "A", 10.0, {0.6, 0.7, 0.7, 0.7}, 0.70, 90, ""},       // 3 / 1
            {"T", "ot", 1, "B", 20.0, {0.1, 0.2, 0.3, 0.4}, 0.40, 80, "", true}, // never 0.5
            {"T", "random", 0, "B", {}, {}, {}, 0, "boom"},
        };
        const auto rows = summarise(o);
        QCOMPARE(int(rows.size()), 3);
        const auto& scratch = rows[0];
        QCOMPARE(scratch.arm, std::string("scratch"));
        QCOMPARE(scratch.reached, 2);
        QCOMPARE(scratch.speedUp.mean, 1.0); // scratch against itself
        QCOMPARE(scratch.bestVal.mean, 0.55);
        QVERIFY(std::abs(scratch.bestVal.std - std::sqrt(0.005)) < 1e-12);
        const auto& ot = rows[1];
        QCOMPARE(ot.seeds, 2);
        QCOMPARE(ot.reached, 1);
        QCOMPARE(ot.speedUp.n, 1);
        QCOMPARE(ot.speedUp.mean, 3.0);
        QCOMPARE(ot.epochsToScratchBest.mean, 1.0);
        QCOMPARE(ot.distance.mean, 15.0);
        QCOMPARE(ot.sources, std::string("A,B"));
        QCOMPARE(ot.testAcc.mean, 0.55);
        QCOMPARE(ot.undecided, 1); // seed 1's search ended undecided
        QCOMPARE(scratch.undecided, 0);
        const auto& random = rows[2];
        QCOMPARE(random.failed, 1);
        QCOMPARE(random.bestVal.n, 0);
        const auto md = markdownTable(rows);
        QVERIFY(md.find("1/2 (not reached: 1)") != std::string::npos);
        QVERIFY(md.find("1 failed") != std::string::npos);
        QVERIFY(csvTable(rows).find("T,ot,2,0,\"A,B\",15,7.07107") != std::string::npos);
        QVERIFY(md.find("| 1/2 |") != std::string::npos); // undecided of the seeds that ran
        // AUC gain against the same seed's scratch: seed 0 +0.25, seed 1 -0.225 (mean 0.0125).
        QCOMPARE(ot.aucGain.n, 2);
        QVERIFY(std::abs(ot.aucGain.mean - 0.0125) < 1e-12);
        // Without the validation split's size the tolerance is 0: the exact speed-up.
        QCOMPARE(ot.reachedWithin, ot.reached);
        // With 16 validation images scratch seed 1's best 0.5 has SE 0.125: both arms must reach
        // 0.375, scratch at epoch 2 and seed 1's ot arm at epoch 4 (factor 0.5).
        o[1].valImages = 16;
        const auto tolerant = summarise(o)[1];
        QCOMPARE(tolerant.reachedWithin, 2);
        QCOMPARE(tolerant.speedUpWithin.n, 2);
        QCOMPARE(tolerant.speedUpWithin.mean, 1.75); // (3 + 0.5) / 2
        QVERIFY(markdownTable({tolerant}).find("| 1.75 ± 1.77 | 2/2 |") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestSpeedup)
#include "test_speedup.moc"
