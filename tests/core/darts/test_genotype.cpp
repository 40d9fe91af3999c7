#include "wb/common/error.h"
#include "wb/darts/collapse.h"
#include "wb/darts/genotype.h"
#include "wb/darts/primitives.h"

#include <QTest>

#include <cmath>

using namespace wb::darts;

namespace {

// Uniform weights with chosen (edge, op) entries raised, for the standard 8 ops and 4 nodes.
std::vector<float> weights(std::initializer_list<std::tuple<int, const char*, float>> raised)
{
    const auto& ops = standardPrimitives();
    std::vector<float> w(std::size_t(edgeCount(4)) * ops.size(), 0.1f);
    for (auto [edge, op, value] : raised) {
        const auto k = std::find(ops.begin(), ops.end(), op) - ops.begin();
        w[std::size_t(edge) * ops.size() + k] = value;
    }
    return w;
}

} // namespace

class TestGenotype : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void edgeCounts()
    {
        QCOMPARE(edgeCount(4), 14);
        QCOMPARE(edgeCount(1), 2);
        QCOMPARE(edgeCount(3), 9);
    }

    void derivesTopTwoInputsAndIgnoresNone()
    {
        // Node 0 (edges 0, 1): `none` is huge on edge 0 but must be ignored; edge 1 wins by
        // sep_conv_3x3 and edge 0 still makes the top two (only two inputs).
        // Node 1 (edges 2-4): inputs 2 (edge 4) and 0 (edge 2) are strongest.
        // Node 2 (edges 5-8): ties everywhere except input 3 -> input 3, then input 0 (tie, lower).
        // Node 3 (edges 9-13): skip on input 4, dil_conv_5x5 on input 1.
        const auto normal = weights({{0, "none", 0.9f},
                                     {0, "max_pool_3x3", 0.3f},
                                     {1, "sep_conv_3x3", 0.5f},
                                     {2, "avg_pool_3x3", 0.4f},
                                     {4, "dil_conv_3x3", 0.6f},
                                     {3, "none", 0.95f},
                                     {8, "sep_conv_5x5", 0.7f},
                                     {13, "skip_connect", 0.8f},
                                     {10, "dil_conv_5x5", 0.75f}});
        const auto g = deriveGenotype(normal, normal, 4, standardPrimitives());
        const std::vector<GenotypeEdge> expected = {
            {"sep_conv_3x3", 1}, {"max_pool_3x3", 0}, {"dil_conv_3x3", 2}, {"avg_pool_3x3", 0},
            {"sep_conv_5x5", 3}, {"max_pool_3x3", 0}, {"skip_connect", 4}, {"dil_conv_5x5", 1}};
        QCOMPARE(g.normal.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            QCOMPARE(QString::fromStdString(g.normal[i].op),
                     QString::fromStdString(expected[i].op));
            QCOMPARE(g.normal[i].input, expected[i].input);
        }
        QCOMPARE(g.normalConcat, (std::vector<int>{2, 3, 4, 5}));
        QVERIFY(g.reduce == g.normal);
    }

    void pythonLiteralRoundTrip()
    {
        const std::string literal =
            "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
            "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), "
            "('dil_conv_3x3', 2)], normal_concat=range(2, 6), reduce=[('max_pool_3x3', 0), "
            "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
            "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], "
            "reduce_concat=range(2, 6))"; // DARTS_V2 from the DARTS repository
        const auto g = Genotype::parse(literal);
        QCOMPARE(g.normal.size(), std::size_t(8));
        QCOMPARE(QString::fromStdString(g.normal[7].op), QString("dil_conv_3x3"));
        QCOMPARE(g.normal[7].input, 2);
        QCOMPARE(g.reduceConcat, (std::vector<int>{2, 3, 4, 5}));
        QCOMPARE(QString::fromStdString(g.toPython()), QString::fromStdString(literal));
        QVERIFY(Genotype::parse(g.toJson()) == g);
    }

    void parseErrors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown op") << "Genotype(normal=[('conv_9x9', 0), ('skip_connect', 1)], "
                                       "normal_concat=[2], reduce=[('skip_connect', 0), "
                                       "('skip_connect', 1)], reduce_concat=[2])"
                                    << "conv_9x9";
        QTest::newRow("future input") << "Genotype(normal=[('skip_connect', 2), ('skip_connect', "
                                         "1)], normal_concat=[2], reduce=[('skip_connect', 0), "
                                         "('skip_connect', 1)], reduce_concat=[2])"
                                      << "does not exist yet";
        QTest::newRow("truncated") << "Genotype(normal=[('skip_connect', 0)"
                                   << "unexpected end";
        QTest::newRow("missing reduce") << "Genotype(normal=[], normal_concat=[2])"
                                        << "missing 'reduce='";
        QTest::newRow("bad json") << "{\"normal\": 3}"
                                  << "genotype JSON: normal must be a list";
        // Issue 14: indices that overflow or that do not exist in the cell are refused, naming
        // the field and the rule, before anything is allocated.
        const QString edges = "[[\"skip_connect\", 0], [\"skip_connect\", 1]]";
        auto json = [&](const QString& input, const QString& concat) {
            return "{\"normal\": [[\"skip_connect\", 0], [\"skip_connect\", " + input +
                   "]], \"normal_concat\": " + concat + ", \"reduce\": " + edges +
                   ", \"reduce_concat\": [2]}";
        };
        QTest::newRow("json index 2^32")
            << json("4294967296", "[2]") << "normal[1][1] = 4294967296 is not a state index";
        QTest::newRow("json index 2^64")
            << json("18446744073709551616", "[2]") << "normal[1][1] must be an integer";
        QTest::newRow("json negative") << json("-1", "[2]") << "normal[1][1] = -1";
        QTest::newRow("json fraction") << json("1.5", "[2]") << "normal[1][1] must be an integer";
        QTest::newRow("json string index")
            << json("\"1\"", "[2]") << "normal[1][1] must be an integer";
        QTest::newRow("json concat range") << json("1", "[2, 3]")
                                           << "normal_concat: index 3 out of range (a cell of 1 "
                                              "nodes concatenates states 2 to 2)";
        QTest::newRow("json edge shape") << "{\"normal\": [[\"skip_connect\"]]}"
                                         << "normal[0] must be [\"op\", input]";
        QTest::newRow("json missing field") << "{\"normal\": " + edges + "}"
                                            << "missing field 'reduce'";
        QTest::newRow("json not object") << "{\"normal\": ["
                                         << "not a JSON object";
        auto literal = [](const QString& input, const QString& concat) {
            return "Genotype(normal=[('skip_connect', 0), ('skip_connect', " + input +
                   ")], normal_concat=" + concat +
                   ", reduce=[('skip_connect', 0), ('skip_connect', 1)], reduce_concat=[2])";
        };
        QTest::newRow("literal index 2^31")
            << literal("2147483648", "[2]") << "normal: index 2147483648 is too large";
        QTest::newRow("literal huge range") << literal("1", "range(2, 2147483647)")
                                            << "normal_concat: index 2147483647 is too large";
        QTest::newRow("literal long range") << literal("1", "range(2, 9)")
                                            << "normal_concat: range(2, 9) must lie within "
                                               "range(2, 3)";
        QTest::newRow("literal concat index")
            << literal("1", "[2, 7]") << "normal_concat: index 7 out of range";
        QTest::newRow("literal input")
            << literal("5", "[2]") << "normal[1]: edge 'skip_connect' of node 0 reads state 5";
    }
    void parseErrors()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        try {
            Genotype::parse(text.toStdString());
            QFAIL("no error");
        } catch (const wb::Error& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
    }

    void collapseSignalsByHand()
    {
        // Two edges over ops {none, skip_connect, sep_conv_3x3}.
        const std::vector<std::string> ops = {"none", "skip_connect", "sep_conv_3x3"};
        const std::vector<float> w = {0.2f, 0.5f, 0.3f, 1.0f / 3, 1.0f / 3, 1.0f / 3};
        Genotype g;
        g.normal = {{"skip_connect", 0}, {"skip_connect", 1}};
        g.reduce = {{"sep_conv_3x3", 0}, {"skip_connect", 1}};
        const auto s = computeCollapseSignals(w, w, ops, g);
        QCOMPARE(s.skipNormal, 2);
        QCOMPARE(s.skipReduce, 1);
        QVERIFY(std::abs(s.paramFreeNormal - (0.5 + 1.0 / 3) / 2) < 1e-6);
        const double h1 = -(0.2 * std::log(0.2) + 0.5 * std::log(0.5) + 0.3 * std::log(0.3));
        const double h2 = std::log(3.0);
        QVERIFY(std::abs(s.entropyNormal - (h1 + h2) / 2) < 1e-6);
        // Top-two margins of the chosen edges (not `none`), in units of 1/3: edge 0 has
        // (0.5 - 0.3) * 3 = 0.6, edge 1 ties (0): one of two undecided, mean 0.3.
        QVERIFY(std::abs(s.marginNormal - 0.3) < 1e-6);
        QCOMPARE(s.undecidedNormal, 1);
        QVERIFY(undecidedReason(s, 3, 2).empty()); // half undecided, entropy below ln 3

        const std::vector<float> uniform(6, 1.0f / 3);
        const auto flat = computeCollapseSignals(uniform, uniform, ops, g);
        QCOMPARE(flat.undecidedNormal, 2);
        QVERIFY(QString::fromStdString(undecidedReason(flat, 3, 2)).contains("2 of 2"));
    }

    void collapseStopRuleByHand()
    {
        const auto eigen = [](std::initializer_list<double> values) {
            std::vector<CollapseSignals> h;
            for (double v : values) {
                h.emplace_back();
                h.back().hessianEigenvalue = v;
            }
            return h;
        };
        const std::vector<std::string> standard = {
            "none",         "max_pool_3x3", "avg_pool_3x3", "skip_connect",
            "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"};
        const auto reason = [&](const std::vector<CollapseSignals>& h) {
            return QString::fromStdString(collapseStopReason(h, standard));
        };
        QVERIFY(reason({}).isEmpty());
        // Window 2, lookback 3: mean(1.5, 2) = 1.75 against mean(1, 1) = 1, ratio 0.57 < 0.75.
        QVERIFY(reason(eigen({1, 1, 1, 1.5, 2})).contains("ratio 0.57"));
        // 1.15 against 1: ratio 0.87, no stop; one epoch short of window + lookback: no stop.
        QVERIFY(reason(eigen({1, 1, 1, 1.1, 1.2})).isEmpty());
        QVERIFY(reason(eigen({1, 1, 1.5, 2})).isEmpty());
        // Epochs without an eigenvalue do not count.
        QVERIFY(reason(eigen({1, NAN, 1, 1, NAN, 1.5, 2})).contains("ratio 0.57"));
        QVERIFY(reason(eigen({1, NAN, 1, 1.5, 2})).isEmpty());
        // The thresholds of the collapse warnings stop at once.
        std::vector<CollapseSignals> h(1);
        h[0].skipNormal = kSkipWarnCount;
        QVERIFY(reason(h).contains("3 skip_connect"));
        h[0].skipNormal = kSkipWarnCount - 1;
        // The standard ops: 3 of 8 parameter-free, 37.5% uniform, 0.375 + 0.36 * 0.625 = 60%.
        QVERIFY(std::abs(paramFreeWarnMass(standard) - 0.6) < 1e-12);
        h[0].paramFreeNormal = 0.61;
        QVERIFY(reason(h).contains("61%"));
        h[0].paramFreeNormal = 0.6;
        QVERIFY(reason(h).isEmpty());
        // Skip, max pool and a convolution: 2/3 uniform, so 2/3 + 0.36/3 = 78.7%; the uniform
        // weights of a search that has not moved (67%) do not stop it.
        const std::vector<std::string> reduced = {"skip_connect", "max_pool_3x3", "sep_conv_3x3"};
        QVERIFY(std::abs(paramFreeWarnMass(reduced) - (2.0 / 3 + 0.12)) < 1e-12);
        h[0].paramFreeNormal = 2.0 / 3;
        QVERIFY(collapseStopReason(h, reduced).empty());
        h[0].paramFreeNormal = 0.8;
        QVERIFY(QString::fromStdString(collapseStopReason(h, reduced)).contains("(> 78%)"));
        // Only parameter-free ops: that mass is all there is, not a collapse.
        h[0].paramFreeNormal = 1;
        QVERIFY(collapseStopReason(h, {"skip_connect", "max_pool_3x3"}).empty());
    }
};

QTEST_APPLESS_MAIN(TestGenotype)
#include "test_genotype.moc"
