// The float log-sum-exp kernels of the Sinkhorn softmin against sums in double: widths that are
// not multiples of 8 (the padded last block), blocks far below the maximum (skipped), column
// blocks and row chunks crossed; the Newton stage's dense plan rows, candidate lists and
// exponential.
#include "ot/lse_kernels.h"

#include <QtTest/QtTest>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace wb::ot::kernels;

namespace {

struct Problem {
    std::int64_t rows, cols;
    float s;
    std::vector<float> c, hCols, hRows;
};

// Costs in [0, 50]; every row and column gets its largest term at a column (row) that moves
// through the last, partial block too. s = 10 leaves most terms below exp(-40) of the maximum.
Problem problem(std::int64_t rows, std::int64_t cols, float s, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> cost(0.0f, 50.0f), potential(-5.0f, 5.0f);
    Problem p{rows, cols, s, {}, {}, {}};
    p.c.resize(std::size_t(rows * cols));
    for (auto& v : p.c)
        v = cost(rng);
    for (std::int64_t i = 0; i < rows; ++i)
        p.c[std::size_t(i * cols + (i * 7 + cols - 1) % cols)] = 0.0f;
    for (std::int64_t j = 0; j < cols; ++j)
        p.hCols.push_back(potential(rng));
    for (std::int64_t i = 0; i < rows; ++i)
        p.hRows.push_back(potential(rng));
    return p;
}

double term(const Problem& p, float h, std::int64_t i, std::int64_t j)
{
    return double(h) - double(p.s) * double(p.c[std::size_t(i * p.cols + j)]);
}

// log sum_k exp(term(k)) for k < count, in double.
template <class Term> double logSumExp(std::int64_t count, Term&& term)
{
    double mx = -std::numeric_limits<double>::infinity(), total = 0;
    for (std::int64_t k = 0; k < count; ++k)
        mx = std::max(mx, term(k));
    for (std::int64_t k = 0; k < count; ++k)
        total += std::exp(term(k) - mx);
    return mx + std::log(total);
}

double rowLse(const Problem& p, std::int64_t i)
{
    return logSumExp(p.cols,
                     [&](std::int64_t j) { return term(p, p.hCols[std::size_t(j)], i, j); });
}

double colLse(const Problem& p, std::int64_t j)
{
    return logSumExp(p.rows,
                     [&](std::int64_t i) { return term(p, p.hRows[std::size_t(i)], i, j); });
}

// Float terms of size up to 500 carry rounding of about 3e-5; the exponential approximation adds
// 2e-7 relative to the sum.
bool close(double got, double want)
{
    return std::abs(got - want) <= 1e-4 + 1e-6 * std::abs(want);
}

const std::int64_t kShapes[][2] = {{1, 1}, {3, 7}, {5, 8}, {70, 13}, {100, 100}, {9, 2053}};

} // namespace

class TestLseKernels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rowSumsMatchDouble()
    {
        for (const auto& shape : kShapes)
            for (const float s : {0.1f, 10.0f}) {
                const auto p = problem(shape[0], shape[1], s, 1);
                std::vector<double> out(std::size_t(p.rows));
                rowLogSumExp(p.c.data(), p.rows, p.cols, p.hCols.data(), s, out.data());
                for (std::int64_t i = 0; i < p.rows; ++i)
                    QVERIFY2(close(out[std::size_t(i)], rowLse(p, i)),
                             qPrintable(QString("%1x%2 s=%3 row %4: %5 vs %6")
                                            .arg(p.rows)
                                            .arg(p.cols)
                                            .arg(s)
                                            .arg(i)
                                            .arg(out[std::size_t(i)])
                                            .arg(rowLse(p, i))));
            }
    }

    void columnSumsAccumulateOverRowBlocks()
    {
        for (const auto& shape : kShapes)
            for (const float s : {0.1f, 10.0f}) {
                const auto p = problem(shape[0], shape[1], s, 2);
                std::vector<float> m(std::size_t(p.cols), -std::numeric_limits<float>::infinity());
                std::vector<float> sum(std::size_t(p.cols), 0.0f);
                // Two row blocks, as two cost tiles give them.
                const auto half = p.rows / 2;
                colLogSumExpAccumulate(p.c.data(), half, p.cols, p.hRows.data(), s, m.data(),
                                       sum.data());
                colLogSumExpAccumulate(p.c.data() + half * p.cols, p.rows - half, p.cols,
                                       p.hRows.data() + half, s, m.data(), sum.data());
                for (std::int64_t j = 0; j < p.cols; ++j) {
                    const double got =
                        double(m[std::size_t(j)]) + std::log(double(sum[std::size_t(j)]));
                    QVERIFY2(close(got, colLse(p, j)),
                             qPrintable(QString("%1x%2 s=%3 column %4: %5 vs %6")
                                            .arg(p.rows)
                                            .arg(p.cols)
                                            .arg(s)
                                            .arg(j)
                                            .arg(got)
                                            .arg(colLse(p, j))));
                }
            }
    }

    void planRowsSumToOneAndKeepTheLargeEntries()
    {
        const float keep = 1e-6f;
        for (const auto& shape : kShapes)
            for (const float s : {0.1f, 10.0f}) {
                const auto p = problem(shape[0], shape[1], s, 3);
                std::vector<double> weight(std::size_t(p.rows), 1.0 / double(p.rows));
                std::vector<double> lse(std::size_t(p.rows));
                std::vector<float> colSum(std::size_t(p.cols), 0.0f);
                std::vector<std::int32_t> index;
                std::vector<float> value;
                std::vector<std::int64_t> rowEnd(std::size_t(p.rows));
                planRows(p.c.data(), p.rows, p.cols, p.hCols.data(), s, weight.data(), keep,
                         lse.data(), colSum.data(), index, value, rowEnd.data());
                std::vector<double> wantCols(std::size_t(p.cols), 0.0);
                std::int64_t start = 0;
                for (std::int64_t i = 0; i < p.rows; ++i) {
                    const double want = rowLse(p, i);
                    QVERIFY(close(lse[std::size_t(i)], want));
                    std::vector<double> kept(std::size_t(p.cols), 0.0);
                    for (auto k = start; k < rowEnd[std::size_t(i)]; ++k)
                        kept[std::size_t(index[std::size_t(k)])] = value[std::size_t(k)];
                    start = rowEnd[std::size_t(i)];
                    for (std::int64_t j = 0; j < p.cols; ++j) {
                        const double pij = std::exp(term(p, p.hCols[std::size_t(j)], i, j) - want);
                        wantCols[std::size_t(j)] += weight[std::size_t(i)] * pij;
                        const double got = kept[std::size_t(j)];
                        if (pij > 2.0 * keep)
                            QVERIFY2(std::abs(got - pij) <= 1e-4 * pij + 1e-9,
                                     qPrintable(QString("%1x%2 s=%3 (%4, %5): %6 vs %7")
                                                    .arg(p.rows)
                                                    .arg(p.cols)
                                                    .arg(s)
                                                    .arg(i)
                                                    .arg(j)
                                                    .arg(got)
                                                    .arg(pij)));
                        if (pij < 0.5 * keep) QCOMPARE(got, 0.0);
                    }
                }
                for (std::int64_t j = 0; j < p.cols; ++j)
                    QVERIFY2(std::abs(colSum[std::size_t(j)] - wantCols[std::size_t(j)]) <=
                                 1e-4 * wantCols[std::size_t(j)] + 1e-9,
                             qPrintable(QString("%1x%2 s=%3 column %4: %5 vs %6")
                                            .arg(p.rows)
                                            .arg(p.cols)
                                            .arg(s)
                                            .arg(j)
                                            .arg(colSum[std::size_t(j)])
                                            .arg(wantCols[std::size_t(j)])));
            }
    }

    // The float and double candidate lists hold exactly the columns whose term lies above the
    // row's largest minus the window (terms within float rounding of that line may go either
    // way), in column order, with their costs.
    void candidatesAreTheColumnsWithinTheWindow()
    {
        const double window = 60.0;
        for (const auto& shape : kShapes)
            for (const float s : {0.1f, 10.0f}) {
                const auto p = problem(shape[0], shape[1], s, 3);
                std::vector<double> hd(p.hCols.begin(), p.hCols.end());
                std::vector<double> cd(p.c.begin(), p.c.end());
                std::vector<std::int32_t> index, indexD;
                std::vector<float> cost;
                std::vector<double> costD;
                std::vector<std::int64_t> rowEnd(std::size_t(p.rows)), rowEndD(rowEnd.size());
                rowCandidates(p.c.data(), p.rows, p.cols, p.hCols.data(), s, float(window), index,
                              cost, rowEnd.data());
                rowCandidates(cd.data(), p.rows, p.cols, hd.data(), double(s), window, indexD,
                              costD, rowEndD.data());
                std::int64_t start = 0, startD = 0, listed = 0;
                for (std::int64_t i = 0; i < p.rows; ++i) {
                    double mx = -std::numeric_limits<double>::infinity();
                    for (std::int64_t j = 0; j < p.cols; ++j)
                        mx = std::max(mx, term(p, p.hCols[std::size_t(j)], i, j));
                    std::vector<int> in(std::size_t(p.cols), 0), inD(in.size(), 0);
                    for (auto k = start; k < rowEnd[std::size_t(i)]; ++k) {
                        const auto j = index[std::size_t(k)];
                        QVERIFY(k == start || j > index[std::size_t(k - 1)]);
                        QCOMPARE(cost[std::size_t(k)], p.c[std::size_t(i * p.cols + j)]);
                        in[std::size_t(j)] = 1;
                    }
                    for (auto k = startD; k < rowEndD[std::size_t(i)]; ++k) {
                        const auto j = indexD[std::size_t(k)];
                        QCOMPARE(costD[std::size_t(k)], cd[std::size_t(i * p.cols + j)]);
                        inD[std::size_t(j)] = 1;
                    }
                    listed += rowEnd[std::size_t(i)] - start;
                    start = rowEnd[std::size_t(i)];
                    startD = rowEndD[std::size_t(i)];
                    for (std::int64_t j = 0; j < p.cols; ++j) {
                        const double margin =
                            term(p, p.hCols[std::size_t(j)], i, j) - (mx - window);
                        if (std::abs(margin) < 1e-3) continue;
                        QVERIFY2(in[std::size_t(j)] == (margin > 0) &&
                                     inD[std::size_t(j)] == (margin > 0),
                                 qPrintable(QString("%1x%2 s=%3 (%4, %5): margin %6")
                                                .arg(p.rows)
                                                .arg(p.cols)
                                                .arg(s)
                                                .arg(i)
                                                .arg(j)
                                                .arg(margin)));
                    }
                }
                // At s = 10 most columns fall outside the window, at s = 0.1 none.
                if (s > 1.0f && p.cols > 8) QVERIFY(listed < p.rows * p.cols / 2);
                if (s < 1.0f) QCOMPARE(listed, p.rows * p.cols);
            }
    }

    // exp in float against std::exp: relative error below 1e-6 on [-87, 0] (the range the
    // Newton stage feeds it), partial last block of 8 included.
    void expInPlaceMatchesStdExp()
    {
        for (const std::int64_t n : {1, 7, 8, 13, 1000}) {
            std::vector<float> x(static_cast<std::size_t>(n));
            for (std::int64_t k = 0; k < n; ++k)
                x[std::size_t(k)] = -87.0f * float(k) / float(std::max<std::int64_t>(1, n - 1));
            auto e = x;
            expInPlace(e.data(), n);
            for (std::int64_t k = 0; k < n; ++k) {
                const double want = std::exp(double(x[std::size_t(k)]));
                QVERIFY2(std::abs(double(e[std::size_t(k)]) - want) <= 1e-6 * want,
                         qPrintable(QString("n=%1 exp(%2): %3 vs %4")
                                        .arg(n)
                                        .arg(x[std::size_t(k)])
                                        .arg(e[std::size_t(k)])
                                        .arg(want)));
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestLseKernels)
#include "test_lse_kernels.moc"
