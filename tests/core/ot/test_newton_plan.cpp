// The plan reader of the Newton stage against sums in double over the whole cost: candidate lists
// on a near-permutation plan (also after g has moved far enough to remake them), dense passes on
// a plan far from a permutation.

#include "ot/cost_tiles.h"
#include "ot/newton_plan.h"

#include "wb/common/threads.h"

#include <QTest>

#include <cmath>
#include <vector>

using namespace wb;
using namespace wb::ot;

namespace {

constexpr double kEps = 0.1;

// Squared distances between n and m points of N(0, spread^2) in 8-d, as a float matrix.
torch::Tensor costs(std::int64_t n, std::int64_t m, double spread)
{
    torch::manual_seed(5);
    const auto x = torch::randn({n, 8}, torch::kFloat64) * spread;
    const auto y = torch::randn({m, 8}, torch::kFloat64) * spread;
    return torch::cdist(x, y).square().to(torch::kFloat32);
}

struct Direct {
    std::vector<double> f, cols;
};

// T(g) and the column sums over every entry of the (float) cost, in double.
Direct direct(const torch::Tensor& c, const std::vector<double>& g, const std::vector<double>& a,
              const std::vector<double>& b)
{
    const auto cd = c.to(torch::kFloat64);
    const auto gt = torch::tensor(g, torch::kFloat64);
    const auto logB = torch::tensor(b, torch::kFloat64).log();
    const auto x = (gt.unsqueeze(0) - cd) / kEps + logB.unsqueeze(0);
    const auto lse = x.logsumexp(1);
    const auto plan = (x - lse.unsqueeze(1)).exp() * torch::tensor(a, torch::kFloat64).unsqueeze(1);
    Direct d;
    const auto f = (-kEps * lse).contiguous();
    const auto cols = plan.sum(0).contiguous();
    d.f.assign(f.data_ptr<double>(), f.data_ptr<double>() + f.numel());
    d.cols.assign(cols.data_ptr<double>(), cols.data_ptr<double>() + cols.numel());
    return d;
}

std::vector<double> uniform(std::int64_t n)
{
    return std::vector<double>(std::size_t(n), 1.0 / double(n));
}

// The reader's plan at g against the direct sums: f to 1e-6 eps, column sums to `columns` of the
// column's weight (1e-6 from the lists' double sums, 1e-5 from the dense passes' float sums over
// a thousand rows), and each row's kept entries summing to 1 within the entries left out.
void compare(NewtonPlanReader& reader, const torch::Tensor& c, const std::vector<double>& g,
             double columns = 1e-6)
{
    const auto a = uniform(c.size(0)), b = uniform(c.size(1));
    NewtonPlan plan;
    QVERIFY(reader.read(g, a, plan, {}));
    const auto want = direct(c, g, a, b);
    for (std::size_t i = 0; i < want.f.size(); ++i)
        QVERIFY2(std::abs(plan.f[i] - want.f[i]) <= 1e-6 * kEps,
                 qPrintable(QString("f_%1: %2 vs %3").arg(i).arg(plan.f[i]).arg(want.f[i])));
    for (std::size_t j = 0; j < want.cols.size(); ++j)
        QVERIFY2(
            std::abs(plan.cols[j] - want.cols[j]) <= columns * b[j],
            qPrintable(QString("column %1: %2 vs %3").arg(j).arg(plan.cols[j]).arg(want.cols[j])));
    std::int64_t start = 0;
    for (std::size_t i = 0; i < plan.rowEnd.size(); ++i) {
        double kept = 0;
        for (auto k = start; k < plan.rowEnd[i]; ++k)
            kept += double(plan.pi[std::size_t(k)]);
        QVERIFY(kept <= 1.0 + 1e-5 && kept >= 1.0 - 1e-6 * double(c.size(1)) - 1e-5);
        start = plan.rowEnd[i];
    }
}

} // namespace

class TestNewtonPlan : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { setComputeThreads(1); }

    // Points 3 apart on average at eps 0.1: a near-permutation plan, read from candidate lists;
    // g moved by up to 5 eps keeps them, by up to 15 or 40 eps (spreads of up to 30 or 80 eps)
    // remakes them.
    void candidateListsMatchTheWholeCost()
    {
        const auto c = costs(60, 70, 3.0);
        CostTiles cost(c);
        NewtonPlanReader reader(cost, uniform(70), kEps);
        std::vector<double> g(70);
        for (std::size_t j = 0; j < g.size(); ++j)
            g[j] = 0.3 * std::sin(double(j));
        compare(reader, c, g);
        QVERIFY(reader.precise());
        for (const double move : {5.0, 15.0, 40.0}) {
            auto moved = g;
            for (std::size_t j = 0; j < g.size(); ++j)
                moved[j] += move * kEps * std::cos(3.0 * double(j));
            compare(reader, c, moved);
            QVERIFY(reader.precise());
        }
    }

    // Points 0.1 apart at eps 0.1: every entry matters, and lists of 1100 x 1000 entries would
    // pass a million, so the reader reads dense passes.
    void densePlansAreReadWhole()
    {
        const auto c = costs(1100, 1000, 0.1);
        CostTiles cost(c);
        NewtonPlanReader reader(cost, uniform(1000), kEps);
        std::vector<double> g(1000, 0.0);
        compare(reader, c, g, 1e-5);
        QVERIFY(!reader.precise());
    }
};

QTEST_APPLESS_MAIN(TestNewtonPlan)
#include "test_newton_plan.moc"
