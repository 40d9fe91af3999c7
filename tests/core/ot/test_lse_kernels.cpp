// The float log-sum-exp kernels of the Sinkhorn softmin against sums in double: widths that are
// not multiples of 8 (the padded last block), blocks far below the maximum (skipped), column
// blocks and row chunks crossed, and the sparse plan rows of the Newton stage.
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
};

QTEST_APPLESS_MAIN(TestLseKernels)
#include "test_lse_kernels.moc"
