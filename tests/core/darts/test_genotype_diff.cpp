// The isomorphism-aware genotype comparison: cells that differ only by the order of a node's
// inputs or by a renumbering of intermediate nodes are equal; real changes are listed.

#include "wb/darts/genotype_diff.h"

#include <QTest>

using namespace wb::darts;

namespace {

// A 4-node cell pair with distinct nodes: 2 reads the inputs, 3 reads the inputs, 4 reads
// nodes 0 and 1, 5 reads node 2 and an input.
Genotype reference()
{
    Genotype g;
    g.normal = {{"sep_conv_3x3", 0}, {"sep_conv_3x3", 1}, {"max_pool_3x3", 0}, {"skip_connect", 1},
                {"sep_conv_3x3", 2}, {"dil_conv_3x3", 3}, {"skip_connect", 1}, {"max_pool_3x3", 4}};
    g.normalConcat = {2, 3, 4, 5};
    g.reduce = g.normal;
    g.reduceConcat = g.normalConcat;
    return g;
}

} // namespace

class TestGenotypeDiff : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void identicalCellsAreEqual()
    {
        const auto d = diffGenotypes(reference(), reference());
        QVERIFY(d.equal());
        QCOMPARE(d.normal.mapping, (std::vector<int>{0, 1, 2, 3}));
        QCOMPARE(QString::fromStdString(d.report()),
                 QStringLiteral("normal: equal\nreduce: equal\n"));
    }

    void inputOrderWithinANodeDoesNotMatter()
    {
        auto b = reference();
        std::swap(b.normal[0], b.normal[1]);
        std::swap(b.reduce[6], b.reduce[7]);
        QVERIFY(diffGenotypes(reference(), b).equal());
    }

    void renumberedNodesAreEqual()
    {
        // Nodes 0 and 1 swap places; the edges that read them follow.
        auto b = reference();
        b.normal = {{"max_pool_3x3", 0}, {"skip_connect", 1}, {"sep_conv_3x3", 0},
                    {"sep_conv_3x3", 1}, {"dil_conv_3x3", 2}, {"sep_conv_3x3", 3},
                    {"max_pool_3x3", 4}, {"skip_connect", 1}};
        const auto d = diffGenotypes(reference(), b);
        QVERIFY(d.equal());
        QCOMPARE(d.normal.mapping, (std::vector<int>{1, 0, 2, 3}));
        QVERIFY(d.normal.differences.empty());
        QCOMPARE(d.normal.changedA, std::vector<bool>(8, false));
        QCOMPARE(d.normal.changedB, std::vector<bool>(8, false));
    }

    void realChangesAreListedInANumbering()
    {
        auto b = reference();
        b.normal[7] = {"avg_pool_3x3", 4}; // node 3's op on node 2
        b.reduce[4] = {"sep_conv_3x3", 1}; // node 2 reads c_{k-1} instead of node 0
        const auto d = diffGenotypes(reference(), b);
        QVERIFY(!d.equal());
        QCOMPARE(d.normal.differences.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(d.normal.differences[0]),
                 QStringLiteral("node 3: max_pool_3x3(node 2) in A, avg_pool_3x3(node 2) in B"));
        // Only that edge is marked, on both sides.
        std::vector<bool> seventh(8, false);
        seventh[7] = true;
        QCOMPARE(d.normal.changedA, seventh);
        QCOMPARE(d.normal.changedB, seventh);
        QCOMPARE(d.reduce.differences.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(d.reduce.differences[0]),
                 QStringLiteral("node 2: sep_conv_3x3(node 0) in A, sep_conv_3x3(c_{k-1}) in B"));
    }

    void sharingAnInputIsNotTheSameAsTwoEqualInputs()
    {
        // Nodes 0 and 1 compute the same op on the same inputs but hold their own weights: a
        // node that reads node 0 twice is another architecture than one reading 0 and 1.
        Genotype a;
        a.normal = {{"sep_conv_3x3", 0}, {"sep_conv_3x3", 1}, {"sep_conv_3x3", 0},
                    {"sep_conv_3x3", 1}, {"skip_connect", 2}, {"max_pool_3x3", 2}};
        a.normalConcat = {2, 3, 4};
        a.reduce = a.normal;
        a.reduceConcat = a.normalConcat;
        auto b = a;
        b.normal[5] = {"max_pool_3x3", 3};
        const auto d = diffGenotypes(a, b);
        QVERIFY(!d.normal.equal);
        QVERIFY(d.reduce.equal);
    }

    void differentNodeCountsAndConcats()
    {
        Genotype small;
        small.normal = {{"sep_conv_3x3", 0}, {"skip_connect", 1}};
        small.normalConcat = {2};
        small.reduce = small.normal;
        small.reduceConcat = small.normalConcat;
        const auto d = diffGenotypes(reference(), small);
        QVERIFY(!d.normal.equal);
        QCOMPARE(QString::fromStdString(d.normal.differences[0]),
                 QStringLiteral("A has 4 intermediate nodes, B 1"));

        auto b = reference();
        b.normalConcat = {2, 3, 5};
        const auto c = diffGenotypes(reference(), b);
        QVERIFY(!c.normal.equal);
        QCOMPARE(QString::fromStdString(c.normal.differences.back()),
                 QStringLiteral("output concatenates node 0, node 1, node 2, node 3 in A, node 0, "
                                "node 1, node 3 in B"));
    }
};

QTEST_APPLESS_MAIN(TestGenotypeDiff)
#include "test_genotype_diff.moc"
