// Label-to-label distances: Bures-Wasserstein against closed forms (isotropic, diagonal), the
// nuclear-norm form against the d x d eigen-decomposition, and both methods (and the whole
// OTDD value) against POT reference values.

#include "ot/label_distance.h"
#include "ot_fixtures.h"

#include "wb/common/threads.h"

#include <QTest>

#include <cmath>

using namespace wb;
using namespace wb::ot;

namespace {

// Reference values: tools/ot_reference/make_reference.py (POT 0.8.2 Sinkhorn polished by Newton
// steps to a marginal error below 1e-11, scipy sqrtm; points rounded to float32 as the engine
// takes them; exact W on the full squared cost), labelled fixture (3 source + 2 target classes,
// source first), row-major 5 x 5.
const double kExactW[25] = {
    0.108427792034, 2.07946482358,  5.19517301929,  0.704264560976, 3.77383681634,
    2.07946482358,  0.129790952775, 1.33249261358,  1.19836068094,  0.874789737021,
    5.19517301929,  1.33249261358,  0.138613129696, 4.30522720118,  1.13538555596,
    0.704264560976, 1.19836068094,  4.30522720118,  0.159299812959, 2.45683468135,
    3.77383681634,  0.874789737021, 1.13538555596,  2.45683468135,  0.147067684103};
// Exact zeros on the diagonal (POT/scipy give +-1e-16 there).
const double kGaussianW[25] = {
    0, 1.92098239489, 5.0120660657,   0.39488489974,  3.52356602161,  1.92098239489,
    0, 1.23961114316, 0.975745154167, 0.647183098203, 5.0120660657,   1.23961114316,
    0, 4.02580216988, 0.896498710992, 0.39488489974,  0.975745154167, 4.02580216988,
    0, 2.24480449995, 3.52356602161,  0.647183098203, 0.896498710992, 2.24480449995,
    0};
// OTDD S(A,B) and the class coupling (target x source) of the same fixture.
const double kExactS = 0.638251882351;
const double kExactCoupling[6] = {0.333333300524,    0.166666579994, 1.19481996578e-07,
                                  3.28095746978e-08, 0.166666753339, 0.333333213851};
const double kGaussianS = 0.579051568327;
const double kGaussianCoupling[6] = {0.333333309521,    0.166666540453, 1.50026279442e-07,
                                     2.38127505211e-08, 0.166666792881, 0.333333183307};

LabelDistanceOptions options(InnerMethod method)
{
    LabelDistanceOptions o;
    o.method = method;
    // The fixture's classes 0 and 2 (4 points each, costs up to 16 at eps 0.1) have a
    // near-permutation plan on which Sinkhorn alone contracts by about 1 - 1e-4 a sweep (a
    // marginal error of 2e-7 after 1e5 sweeps); the Newton stage takes it below 1e-10.
    o.sinkhorn = {0.1, 0.5, 1e-10, 100000, 1.8};
    o.dtype = torch::kFloat64;
    o.cacheBytes = 1 << 20;
    return o;
}

// Pooled points and labels of the labelled fixture, source classes first.
std::pair<torch::Tensor, torch::Tensor> pooledFixture()
{
    const auto a = otfix::labelledA(), b = otfix::labelledB();
    std::vector<float> x = a.x;
    x.insert(x.end(), b.x.begin(), b.x.end());
    std::vector<std::int64_t> l(a.labels.begin(), a.labels.end());
    for (int v : b.labels)
        l.push_back(v + 3);
    return {torch::tensor(x, torch::kFloat64).view({22, 2}), torch::tensor(l, torch::kInt64)};
}

torch::Tensor sampleCov(const torch::Tensor& x)
{
    const auto c = x - x.mean(0, true);
    return c.t().mm(c) / double(x.size(0) - 1);
}

class NullObserver : public OtObserver {};

} // namespace

class TestLabelDistance : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { setComputeThreads(1); }

    void buresIsotropicByHand()
    {
        // N(mu1, s1^2 I) vs N(mu2, s2^2 I) in d dims: |mu1 - mu2|^2 + d (s1 - s2)^2.
        const int d = 4;
        const auto mu1 = torch::tensor({0.0, 1.0, 0.0, 2.0}, torch::kFloat64);
        const auto mu2 = torch::tensor({1.0, 1.0, -1.0, 2.0}, torch::kFloat64);
        const auto eye = torch::eye(d, torch::kFloat64);
        const double w = gaussianW2Eigen(mu1, 0.25 * eye, mu2, 2.25 * eye);
        QVERIFY(std::abs(w - (2.0 + d * 1.0)) < 1e-12);

        // From samples: +-s e_k around mu has unbiased covariance 2 s^2 / (2d - 1) I.
        auto samples = [&](const torch::Tensor& mu, double s) {
            auto x = torch::cat({eye * s, eye * -s}) + mu;
            return x;
        };
        const auto x = torch::cat({samples(mu1, 0.5), samples(mu2, 1.5)});
        const auto labels =
            torch::cat({torch::zeros({2 * d}, torch::kInt64), torch::ones({2 * d}, torch::kInt64)});
        const auto w2 = labelDistances(x, labels, 2, options(InnerMethod::Gaussian), {}).w;
        const double k = std::sqrt(2.0 / (2 * d - 1));
        const double expected = 2.0 + d * std::pow(k * 0.5 - k * 1.5, 2);
        QVERIFY(std::abs(w2[0][1].item<double>() - expected) < 1e-12);
        QCOMPARE(w2[0][0].item<double>(), 0.0);
    }

    void buresDiagonalByHand()
    {
        // Diagonal covariances: sum_k (sqrt(a_k) - sqrt(b_k))^2 + |mu1 - mu2|^2.
        const auto a = torch::tensor({1.0, 4.0, 9.0}, torch::kFloat64);
        const auto b = torch::tensor({4.0, 1.0, 0.25}, torch::kFloat64);
        const auto mu1 = torch::tensor({0.0, 0.0, 0.0}, torch::kFloat64);
        const auto mu2 = torch::tensor({3.0, 0.0, 4.0}, torch::kFloat64);
        const double expected = 25.0 + 1.0 + 1.0 + 6.25;
        QVERIFY(std::abs(gaussianW2Eigen(mu1, torch::diag(a), mu2, torch::diag(b)) - expected) <
                1e-12);
    }

    void nuclearNormFormMatchesEigenDecomposition_data()
    {
        QTest::addColumn<int>("n1");
        QTest::addColumn<int>("n2");
        QTest::addColumn<int>("d");
        QTest::newRow("both fewer samples than dims") << 5 << 7 << 12;
        QTest::newRow("mixed") << 4 << 30 << 12;
        QTest::newRow("both more samples than dims") << 40 << 25 << 6;
    }
    void nuclearNormFormMatchesEigenDecomposition()
    {
        QFETCH(int, n1);
        QFETCH(int, n2);
        QFETCH(int, d);
        torch::manual_seed(5);
        const auto x1 = torch::randn({n1, d}, torch::kFloat64);
        const auto x2 = torch::randn({n2, d}, torch::kFloat64) * 1.7 + 0.3;
        const auto labels =
            torch::cat({torch::zeros({n1}, torch::kInt64), torch::ones({n2}, torch::kInt64)});
        const auto w =
            labelDistances(torch::cat({x1, x2}), labels, 2, options(InnerMethod::Gaussian), {}).w;
        const double reference =
            gaussianW2Eigen(x1.mean(0), sampleCov(x1), x2.mean(0), sampleCov(x2));
        // The eigen form takes square roots of rank-deficient matrices: eigenvalues of 1e-16
        // become 1e-8, so agreement is to about 1e-8 relative, not machine precision.
        QVERIFY2(std::abs(w[0][1].item<double>() - reference) < 1e-7 * reference,
                 qPrintable(QString("%1 vs %2").arg(w[0][1].item<double>()).arg(reference)));
        QCOMPARE(w[0][1].item<double>(), w[1][0].item<double>());
    }

    void matchPotReference_data()
    {
        QTest::addColumn<int>("method");
        QTest::newRow("exact") << int(InnerMethod::Exact);
        QTest::newRow("gaussian") << int(InnerMethod::Gaussian);
    }
    void matchPotReference()
    {
        QFETCH(int, method);
        const auto m = InnerMethod(method);
        const auto [x, labels] = pooledFixture();
        const auto out = labelDistances(x, labels, 5, options(m), {});
        QCOMPARE(out.notConverged, 0);
        const double* expected = m == InnerMethod::Exact ? kExactW : kGaussianW;
        for (int i = 0; i < 25; ++i)
            QVERIFY2(std::abs(out.w.view({-1})[i].item<double>() - expected[i]) < 1e-8,
                     qPrintable(QString("W[%1]: %2 vs %3")
                                    .arg(i)
                                    .arg(out.w.view({-1})[i].item<double>())
                                    .arg(expected[i])));
    }

    // The squared distances the dataset-level problems reuse: between all points, in the order
    // given (the classes, shuffled here, are computed one after another); none when not asked
    // for or when two classes hold the same samples (those are computed once).
    void squaredDistancesComeInTheGivenOrder()
    {
        auto [x, labels] = pooledFixture();
        torch::manual_seed(3);
        const auto shuffle = torch::randperm(x.size(0));
        x = x.index_select(0, shuffle);
        labels = labels.index_select(0, shuffle);
        auto o = options(InnerMethod::Exact);
        QVERIFY(!labelDistances(x, labels, 5, o, {}).squared.defined());
        o.keepSquaredDistances = true;
        const auto out = labelDistances(x, labels, 5, o, {});
        QVERIFY(out.squared.defined());
        const auto want = (x.unsqueeze(1) - x.unsqueeze(0)).square().sum(2);
        const double worst = (out.squared - want).abs().max().item<double>();
        QVERIFY2(worst < 1e-9 * want.max().item<double>(), qPrintable(QString::number(worst)));
        const auto twice = torch::cat({x, x});
        const auto same = torch::cat({torch::zeros_like(labels), torch::ones_like(labels)});
        QVERIFY(!labelDistances(twice, same, 2, o, {}).squared.defined());
    }

    void datasetDistanceMatchesPotReference_data() { matchPotReference_data(); }
    void datasetDistanceMatchesPotReference()
    {
        QFETCH(int, method);
        const auto m = InnerMethod(method);
        for (bool precise : {true, false}) {
            DistanceConfig config;
            config.inner = m;
            config.float64 = precise;
            config.tolerance = precise ? 1e-10 : 1e-4;
            config.maxIterations = 100000;
            RunControl control;
            NullObserver observer;
            const auto r = computeFeatureDistance(otfix::labelledA(), otfix::labelledB(), config,
                                                  control, observer);
            QCOMPARE(r.status, wb::RunStatus::Done);
            const double s = m == InnerMethod::Exact ? kExactS : kGaussianS;
            const double tol = precise ? 1e-8 : 1e-4 * s;
            QVERIFY2(std::abs(r.value - s) < tol,
                     qPrintable(QString("%1 vs %2").arg(r.value, 0, 'g', 12).arg(s, 0, 'g', 12)));
            const double* coupling = m == InnerMethod::Exact ? kExactCoupling : kGaussianCoupling;
            QCOMPARE(r.coupling.size(), std::size_t(6));
            double total = 0;
            for (int i = 0; i < 6; ++i) {
                total += r.coupling[i];
                QVERIFY(std::abs(r.coupling[i] - coupling[i]) < (precise ? 1e-6 : 1e-3));
            }
            QVERIFY(std::abs(total - 1.0) < 1e-3);
            QCOMPARE(r.sourceClasses, (std::vector<std::string>{"a0", "a1", "a2"}));
            QCOMPARE(r.targetClasses, (std::vector<std::string>{"b0", "b1"}));
            QCOMPARE(r.labelDistances.size(), std::size_t(25));
        }
    }

    void innerMethodsAgreeOnGaussianClasses()
    {
        // Two classes drawn from N(0, 1) and N(3, 2^2), n points each, in 1-D, where the
        // empirical W2^2 is the sorted matching: W2 = mean((x_(i) - y_(i))^2). Bounds:
        //   G_n <= W2                         Gelbrich: any two measures, 1/n covariances;
        //   W2 <= exact <= W2 + eps ln n      the entropic value is <P,C> + eps KL(P | a x b),
        //                                     >= W2 (KL >= 0) and <= the sorted permutation's
        //                                     W2 + eps KL = W2 + eps ln n;
        //   gaussian = G_{n-1}                Bures with n - 1 covariances.
        // So |exact - gaussian| <= (W2 - G_n) + |G_{n-1} - G_n| + eps ln n: the sample's
        // non-Gaussianity, the n - 1 factor and the entropic bias. A halved cost fails the first
        // exact bound by about W2 / 2.
        const int n = 200;
        const double eps = 0.1;
        torch::manual_seed(11);
        const auto x = torch::randn({n, 1}, torch::kFloat64);
        const auto y = torch::randn({n, 1}, torch::kFloat64) * 2.0 + 3.0;
        const auto labels =
            torch::cat({torch::zeros({n}, torch::kInt64), torch::ones({n}, torch::kInt64)});
        const auto pooled = torch::cat({x, y});
        auto o = options(InnerMethod::Exact);
        o.sinkhorn = {eps, 0.5, 1e-9, 100000, 1.8};
        const auto exact = labelDistances(pooled, labels, 2, o, {});
        QCOMPARE(exact.notConverged, 0);
        const double we = exact.w[0][1].item<double>();
        const double wg = labelDistances(pooled, labels, 2, options(InnerMethod::Gaussian), {})
                              .w[0][1]
                              .item<double>();

        const double w2 = (std::get<0>(x.flatten().sort()) - std::get<0>(y.flatten().sort()))
                              .square()
                              .mean()
                              .item<double>();
        const double dm = (x.mean() - y.mean()).item<double>();
        const double sdN = (x.std(false) - y.std(false)).item<double>();
        const double gN = dm * dm + sdN * sdN;
        const double sdN1 = (x.std(true) - y.std(true)).item<double>();
        const double gN1 = dm * dm + sdN1 * sdN1;
        QVERIFY(std::abs(wg - gN1) < 1e-9 * gN1);
        QVERIFY2(gN <= w2 + 1e-12, qPrintable(QString("Gelbrich %1 > W2 %2").arg(gN).arg(w2)));
        const double bias = eps * std::log(double(n));
        QVERIFY2(we >= w2 - 1e-6 && we <= w2 + bias,
                 qPrintable(QString("exact %1 outside [%2, %3]").arg(we).arg(w2).arg(w2 + bias)));
        const double tolerance = (w2 - gN) + std::abs(gN1 - gN) + bias;
        QVERIFY2(
            std::abs(we - wg) <= tolerance,
            qPrintable(
                QString("exact %1, gaussian %2, tolerance %3").arg(we).arg(wg).arg(tolerance)));
        // The population value, for scale: 9 + 1 = 10; the derived tolerance is a few percent.
        QVERIFY(tolerance < 0.1 * w2);
    }

    void relabellingDoesNotChangeTheDistance()
    {
        for (auto m : {InnerMethod::Exact, InnerMethod::Gaussian}) {
            DistanceConfig config;
            config.inner = m;
            config.float64 = true;
            config.tolerance = 1e-10;
            config.maxIterations = 100000;
            RunControl control;
            NullObserver observer;
            const auto a = otfix::labelledA();
            const auto r = computeFeatureDistance(a, otfix::labelledB(), config, control, observer);
            // Source classes permuted (0 -> 2, 1 -> 0, 2 -> 1) and renamed.
            auto p = a;
            const int perm[3] = {2, 0, 1};
            p.classNames = {"x", "y", "z"};
            for (auto& l : p.labels)
                l = perm[l];
            const auto rp =
                computeFeatureDistance(p, otfix::labelledB(), config, control, observer);
            QVERIFY2(std::abs(r.value - rp.value) < 1e-9,
                     qPrintable(QString("%1 vs %2").arg(r.value).arg(rp.value)));
            // The coupling moves with the classes.
            for (int t = 0; t < 2; ++t)
                for (int s = 0; s < 3; ++s)
                    QVERIFY(std::abs(r.coupling[t * 3 + s] - rp.coupling[t * 3 + perm[s]]) < 1e-7);
        }
    }

    void gaussianDropsClassesWithOneSample()
    {
        auto a = otfix::labelledA();
        a.classNames.push_back("lonely");
        a.x.push_back(0.5f);
        a.x.push_back(0.5f);
        a.labels.push_back(3);
        DistanceConfig config;
        config.inner = InnerMethod::Gaussian;
        RunControl control;
        class Collector : public OtObserver {
        public:
            void onIssue(const wb::Issue& i) override { messages.push_back(i.message); }
            std::vector<std::string> messages;
        } observer;
        const auto r = computeFeatureDistance(a, otfix::labelledB(), config, control, observer);
        QCOMPARE(r.status, wb::RunStatus::Done);
        QCOMPARE(r.sourceClasses.size(), std::size_t(3));
        QCOMPARE(r.samplesA, 12);
        QCOMPARE(observer.messages.size(), std::size_t(1));
        QVERIFY(observer.messages[0].find("lonely") != std::string::npos);
        // The exact method keeps it.
        config.inner = InnerMethod::Exact;
        const auto e = computeFeatureDistance(a, otfix::labelledB(), config, control, observer);
        QCOMPARE(e.sourceClasses.size(), std::size_t(4));
    }
};

QTEST_APPLESS_MAIN(TestLabelDistance)
#include "test_label_distance.moc"
