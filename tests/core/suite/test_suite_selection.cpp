#include "wb/common/error.h"
#include "wb/suite/rng.h"

#include <algorithm>
#include <set>

#include <QTest>

using wb::suite::SeededRng;

// Seeded class selection: the generator is pinned to SplitMix64's reference outputs (so every
// machine picks the same classes), selections repeat per seed, differ across seeds and
// streams, and are unbiased.
class TestSuiteSelection : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void splitMixReference();
    void sameSeedSameClasses();
    void seedsAndStreamsDiffer();
    void chooseIsUniform();
    void chooseValidates();
    void roundRobinAcrossGroups();
};

void TestSuiteSelection::splitMixReference()
{
    // SplitMix64 from state 0 (Vigna's splitmix64.c).
    SeededRng rng(0);
    QCOMPARE(rng.next(), 0xe220a8397b1dcdafull);
    QCOMPARE(rng.next(), 0x6e789e6aa1b965f4ull);
    QCOMPARE(rng.next(), 0x06c45d188009454full);
}

void TestSuiteSelection::sameSeedSameClasses()
{
    for (const std::uint64_t seed : {0ull, 1ull, 42ull, 0xffffffffffffffffull}) {
        SeededRng a(wb::suite::deriveSeed(seed, "GRK/classes"));
        SeededRng b(wb::suite::deriveSeed(seed, "GRK/classes"));
        const auto first = wb::suite::chooseSorted(25, 20, a);
        QVERIFY(first == wb::suite::chooseSorted(25, 20, b));
        QCOMPARE(int(first.size()), 20);
        QVERIFY(std::is_sorted(first.begin(), first.end()));
        QCOMPARE(int(std::set<int>(first.begin(), first.end()).size()), 20);
        QVERIFY(first.front() >= 0 && first.back() < 25);
    }
    // Pinned: a change here changes every suite built with the default seed.
    SeededRng pinned(wb::suite::deriveSeed(1, "TEX/classes"));
    const auto chosen = wb::suite::chooseSorted(10, 3, pinned);
    SeededRng again(wb::suite::deriveSeed(1, "TEX/classes"));
    QVERIFY(chosen == wb::suite::chooseSorted(10, 3, again));
}

void TestSuiteSelection::seedsAndStreamsDiffer()
{
    std::set<std::vector<int>> selections;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        SeededRng rng(wb::suite::deriveSeed(seed, "CYR/classes"));
        selections.insert(wb::suite::chooseSorted(33, 20, rng));
    }
    QVERIFY(selections.size() >= 19);
    QVERIFY(wb::suite::deriveSeed(1, "GRK/classes") != wb::suite::deriveSeed(1, "CYR/classes"));
    QVERIFY(wb::suite::deriveSeed(1, "GRK/classes") != wb::suite::deriveSeed(2, "GRK/classes"));
}

void TestSuiteSelection::chooseIsUniform()
{
    // Choose 5 of 10 under 4000 seeds: each index should be chosen about half the time.
    std::vector<int> hits(10, 0);
    const int trials = 4000;
    for (int t = 0; t < trials; ++t) {
        SeededRng rng(wb::suite::deriveSeed(std::uint64_t(t), "uniform"));
        for (const int i : wb::suite::chooseSorted(10, 5, rng))
            ++hits[std::size_t(i)];
    }
    for (const int h : hits)
        QVERIFY2(std::abs(h - trials / 2) < 150, qPrintable(QString::number(h)));
    SeededRng rng(3);
    for (int i = 0; i < 1000; ++i) {
        const int v = rng.between(-2, 2);
        QVERIFY(v >= -2 && v <= 2);
    }
}

void TestSuiteSelection::chooseValidates()
{
    SeededRng rng(1);
    QVERIFY_THROWS_EXCEPTION(wb::Error, wb::suite::chooseSorted(3, 4, rng));
    QVERIFY(wb::suite::chooseSorted(3, 0, rng).empty());
    QVERIFY((wb::suite::chooseSorted(3, 3, rng) == std::vector<int>{0, 1, 2}));
}

void TestSuiteSelection::roundRobinAcrossGroups()
{
    SeededRng rng(5);
    // One big family and two single-font ones: three picks take one of each.
    const auto picks = wb::suite::pickRoundRobin({10, 1, 1}, 3, rng);
    QCOMPARE(int(picks.size()), 3);
    std::set<int> groups;
    for (const auto& [g, item] : picks)
        groups.insert(g);
    QCOMPARE(int(groups.size()), 3);
    // Asking for more than there is returns everything once.
    SeededRng rng2(5);
    const auto all = wb::suite::pickRoundRobin({2, 3}, 10, rng2);
    QCOMPARE(int(all.size()), 5);
    QCOMPARE(int(std::set<std::pair<int, int>>(all.begin(), all.end()).size()), 5);
}

QTEST_APPLESS_MAIN(TestSuiteSelection)
#include "test_suite_selection.moc"
