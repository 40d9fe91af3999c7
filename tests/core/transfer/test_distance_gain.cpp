// Distance vs gain: rank correlations, the fitted trend and the bootstrap, against closed forms.

#include "wb/transfer/distance_gain.h"

#include <QTest>

#include <cmath>

using namespace wb::transfer;

namespace {

ArmOutcome outcome(const std::string& arm, std::uint64_t seed, std::vector<double> curve,
                   std::optional<double> distance = {}, const std::string& source = {})
{
    ArmOutcome o;
    o.target = "T";
    o.arm = arm;
    o.seed = seed;
    o.valCurve = std::move(curve);
    o.distance = distance;
    o.source = source;
    return o;
}

TargetCorrelation correlation(const std::string& target, double rho)
{
    return {target, 3, rho, false};
}

} // namespace

class TestDistanceGain : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void spearmanUsesAverageRanks()
    {
        QCOMPARE(*spearman({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
        QCOMPARE(*spearman({1, 2, 3, 4}, {9, 4, 1, 0}), -1.0);
        // Monotone, not linear: ranks only.
        QCOMPARE(*spearman({1, 2, 3}, {1, 100, 101}), 1.0);
        // Ties: x ranks {1, 2.5, 2.5, 4} against {1, 2, 3, 4}: 4.5 / sqrt(4.5 * 5) = 3 / sqrt(10).
        QVERIFY(std::abs(*spearman({1, 2, 2, 3}, {1, 2, 3, 4}) - 3 / std::sqrt(10.0)) < 1e-12);
        // y ranks {1, 2, 3.5, 5, 3.5}: 8 / sqrt(10 * 9.5).
        QVERIFY(std::abs(*spearman({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}) - 8 / std::sqrt(95.0)) <
                1e-12);
        QVERIFY(!spearman({1, 2}, {2, 1}));
        QVERIFY(!spearman({1, 1, 1}, {1, 2, 3}));
        QVERIFY(!spearman({1, 2, 3}, {4, 4, 4}));
    }

    void lineFitIsLeastSquares()
    {
        const auto exact = fitLine({0, 1, 2, 3}, {2, 5, 8, 11});
        QCOMPARE(exact->intercept, 2.0);
        QCOMPARE(exact->slope, 3.0);
        // (0,0), (1,1), (2,1): slope 0.5, intercept 1/6 (mean y 2/3 - 0.5 * 1).
        const auto fit = fitLine({0, 1, 2}, {0, 1, 1});
        QVERIFY(std::abs(fit->slope - 0.5) < 1e-12);
        QVERIFY(std::abs(fit->intercept - 1.0 / 6) < 1e-12);
        QVERIFY(!fitLine({1, 1}, {0, 5}));
        QVERIFY(!fitLine({1}, {0}));
    }

    void pointsCompareWithTheSameSeedsScratch()
    {
        std::vector<ArmOutcome> o = {
            outcome("scratch", 0, {0.5, 0.6, 0.7, 0.8}),
            outcome("source:1", 0, {0.8, 0.8, 0.8, 0.8}, 2.0, "A"), // 4x, AUC (0.3+0.2+0.1)/4
            outcome("source:2", 0, {0.5, 0.6, 0.7, 0.75}, 5.0, "B"), // never reaches 0.8
            outcome("ot", 0, {0.8, 0.8, 0.8, 0.8}, 2.0, "A"),       // repeats source:1
            outcome("source:1", 1, {0.9}, 2.0, "A"),                // seed 1 has no scratch
            outcome("multi", 0, {0.9, 0.9, 0.9, 0.9}),              // no distance
        };
        o[0].testAcc = 0.6;
        o[1].testAcc = 0.7;
        auto failed = outcome("source:3", 0, {0.9}, 1.0, "C");
        failed.error = "diverged";
        o.push_back(failed);
        const auto points = gainPoints(o);
        QCOMPARE(points.size(), std::size_t(2));
        QCOMPARE(points[0].source, std::string("A"));
        QCOMPARE(points[0].distance, 2.0);
        QCOMPARE(points[0].speedUpWithinSe, 4.0);
        QVERIFY(std::abs(points[0].aucGain - 0.15) < 1e-12);
        QCOMPARE(points[0].bestVal, 0.8);
        QVERIFY(std::abs(*points[0].testGain - 0.1) < 1e-12);
        QCOMPARE(points[1].speedUpWithinSe, 0.0);
        QVERIFY(!points[1].testGain);
        QVERIFY(!points[1].value(Gain::TestGain));
        // Without source: arms, the ot arm is a point of its own.
        const auto otOnly = gainPoints({o[0], o[3], o[5]});
        QCOMPARE(otOnly.size(), std::size_t(1));
        QCOMPARE(otOnly[0].speedUpWithinSe, 4.0);
    }

    void perTargetCorrelationAveragesSeedsFirst()
    {
        std::vector<GainPoint> p;
        const auto add = [&](const std::string& target, const std::string& source, double d,
                             double auc) {
            GainPoint g;
            g.target = target;
            g.source = source;
            g.distance = d;
            g.aucGain = auc;
            p.push_back(g);
        };
        // T: seed means 0.3, 0.2, 0.1 at distances 1, 2, 3: rho -1, nearest is best.
        add("T", "a", 1, 0.2);
        add("T", "a", 1, 0.4);
        add("T", "b", 2, 0.2);
        add("T", "c", 3, 0.1);
        // U: 0.1, 0.3, 0.2 at 1, 2, 3: ranks {1,3,2} vs {1,2,3} give rho 0.5; nearest is worst.
        add("U", "a", 1, 0.1);
        add("U", "b", 2, 0.3);
        add("U", "c", 3, 0.2);
        // V: two sources only, no correlation.
        add("V", "a", 1, 0.1);
        add("V", "b", 2, 0.3);
        const auto t = targetCorrelations(p, Gain::AucGain);
        QCOMPARE(t.size(), std::size_t(3));
        QCOMPARE(*t[0].rho, -1.0);
        QVERIFY(t[0].nearestIsBest);
        QVERIFY(std::abs(*t[1].rho - 0.5) < 1e-12);
        QVERIFY(!t[1].nearestIsBest);
        QVERIFY(!t[2].rho);
        const auto s = studyStatistic(t, 2000, 7);
        QCOMPARE(s->targets, 2);
        QCOMPARE(s->meanRho, -0.25);
        QCOMPARE(s->nearestBest, 0.5);
        // Two values: the resampled means are -1, -0.25 or 0.5 (probabilities 1/4, 1/2, 1/4),
        // so the 95% interval spans both ends.
        QCOMPARE(s->lo, -1.0);
        QCOMPARE(s->hi, 0.5);
        // Seeded: the same interval again.
        QCOMPARE(studyStatistic(t, 2000, 7)->lo, s->lo);
        QVERIFY(!studyStatistic({t[2]}, 100, 1));

        // Replacing the distances (another embedder) reverses T.
        PairDistances d = {{{"T", "a"}, 3}, {{"T", "b"}, 2}, {{"T", "c"}, 1}};
        const auto other = targetCorrelations(withDistances(p, d), Gain::AucGain);
        QCOMPARE(other.size(), std::size_t(1));
        QCOMPARE(*other[0].rho, 1.0);
    }

    void intervalsOfIdenticalValuesAreExact()
    {
        const std::vector<TargetCorrelation> a = {correlation("T", -0.2), correlation("U", -0.4),
                                                  correlation("V", 0.0)};
        const std::vector<TargetCorrelation> b = {correlation("T", -0.7), correlation("U", -0.9),
                                                  correlation("V", -0.5)};
        const auto d = pairedDifference(a, b, 500, 3);
        QVERIFY(std::abs(d->first + 0.5) < 1e-12);
        QVERIFY(std::abs(d->second + 0.5) < 1e-12);
        QVERIFY(!pairedDifference(a, {correlation("T", 0.1)}, 500, 3));
        const auto s = studyStatistic(b, 500, 3);
        QVERIFY(s->lo >= -0.9 && s->hi <= -0.5 && s->lo <= s->meanRho && s->meanRho <= s->hi);
    }
};

QTEST_APPLESS_MAIN(TestDistanceGain)
#include "test_distance_gain.moc"
