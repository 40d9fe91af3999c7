// The one seeded generator: SplitMix64 against its published reference stream, unbiased bounded
// draws, Fisher-Yates permutations, and the proof that replacing the old modulo draws changed no
// sample (so no distance or split cache needed a new version).

#include "wb/common/error.h"
#include "wb/common/seeded_rng.h"

#include <QTest>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>

class TestSeededRng : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void splitMixMatchesTheReferenceStream()
    {
        // Vigna's splitmix64.c seeded with 1234567: its first five outputs.
        wb::SeededRng rng(1234567);
        const std::uint64_t expected[] = {6457827717110365317ull, 3203168211198807973ull,
                                          9817491932198370423ull, 4593380528125082431ull,
                                          16408922859458223821ull};
        for (const auto e : expected)
            QCOMPARE(rng.next(), e);
        QCOMPARE(wb::splitMix64(1234567), expected[0]);
    }

    void boundedDrawsAreUniform()
    {
        // 6 bins, 60,000 draws: chi-square with 5 degrees of freedom; 20.5 is its 0.999 quantile.
        wb::SeededRng rng(7);
        std::vector<int> bins(6);
        for (int i = 0; i < 60000; ++i)
            ++bins[rng.below(6)];
        double chi2 = 0;
        for (const int b : bins)
            chi2 += (b - 10000.0) * (b - 10000.0) / 10000.0;
        QVERIFY2(chi2 < 20.5, qPrintable(QString::number(chi2)));
        for (int i = 0; i < 1000; ++i) {
            const int v = rng.between(-3, 3);
            QVERIFY(v >= -3 && v <= 3);
        }
        QVERIFY_THROWS_EXCEPTION(wb::Error, rng.below(0));
        QVERIFY_THROWS_EXCEPTION(wb::Error, rng.between(2, 1));
    }

    void shuffleIsAPermutationOfEveryOrder()
    {
        // All 3! orders of three items appear, each about a sixth of the time.
        std::map<std::vector<int>, int> seen;
        wb::SeededRng rng(11);
        for (int i = 0; i < 6000; ++i) {
            std::vector<int> v = {0, 1, 2};
            rng.shuffle(v);
            ++seen[v];
        }
        QCOMPARE(int(seen.size()), 6);
        for (const auto& [order, count] : seen)
            QVERIFY2(count > 850 && count < 1150, "skewed");
        std::vector<int> big(1000);
        std::iota(big.begin(), big.end(), 0);
        std::mt19937_64 engine(3);
        wb::shuffle(big, engine);
        auto sorted = big;
        std::sort(sorted.begin(), sorted.end());
        for (int i = 0; i < 1000; ++i)
            QCOMPARE(sorted[std::size_t(i)], i);
        QVERIFY(big != sorted);
    }

    void unbiasedDrawsKeepTheOldSamples()
    {
        // A draw differs from the old `engine() % bound` only when it is rejected, i.e. lands in
        // the top (2^64 mod bound) values: probability below bound / 2^64 per draw. The samples of
        // a 100,000-image dataset (the OT sampler's partial Fisher-Yates) are therefore unchanged.
        for (const std::uint64_t seed : {0ull, 1ull, 42ull}) {
            const std::int64_t n = 100000, k = 5000;
            std::mt19937_64 a(wb::splitMix64(seed ^ wb::splitMix64(std::uint64_t(n))));
            auto b = a;
            std::vector<std::int64_t> oldDraws, newDraws;
            for (std::int64_t i = 0; i < k; ++i) {
                oldDraws.push_back(std::int64_t(a() % std::uint64_t(n - i)));
                newDraws.push_back(std::int64_t(wb::uniformBelow(b, std::uint64_t(n - i))));
            }
            QVERIFY(oldDraws == newDraws);
        }
    }
};

QTEST_APPLESS_MAIN(TestSeededRng)
#include "test_seeded_rng.moc"
