// OpProfile: the calls and self times of a known sequence of ops.

#include "darts/op_profile.h"

#include <QTest>

#include <torch/torch.h>

#include <algorithm>
#include <chrono>

using namespace wb::darts;

namespace {

const OpTime* find(const std::vector<OpTime>& ops, const std::string& name)
{
    const auto it =
        std::find_if(ops.begin(), ops.end(), [&](const OpTime& op) { return op.name == name; });
    return it == ops.end() ? nullptr : &*it;
}

} // namespace

class TestOpProfile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Three iterations of two convolutions and one ReLU: per iteration, two conv2d calls and
    // one relu; every self time is positive, the self times sum to no more than the wall time
    // (nothing is counted twice), and a convolution's self time excludes the kernel it calls.
    void countsCallsAndSelfTime()
    {
        const auto x = torch::randn({2, 8, 32, 32});
        const auto w = torch::randn({8, 8, 3, 3});
        const auto start = std::chrono::steady_clock::now();
        OpProfile profile;
        for (int i = 0; i < 3; ++i)
            torch::relu(torch::conv2d(torch::conv2d(x, w, {}, 1, 1), w, {}, 1, 1));
        const auto ops = profile.finish(3);
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / 3;

        const auto* conv = find(ops, "aten::conv2d");
        const auto* relu = find(ops, "aten::relu");
        QVERIFY(conv && relu);
        QCOMPARE(conv->calls, 2.0);
        QCOMPARE(relu->calls, 1.0);
        double total = 0;
        for (const auto& op : ops) {
            QVERIFY2(op.selfSeconds >= 0, op.name.c_str());
            total += op.selfSeconds;
        }
        QVERIFY(total > 0);
        QVERIFY(total <= wall);
        QVERIFY(std::is_sorted(ops.begin(), ops.end(), [](const OpTime& a, const OpTime& b) {
            return a.selfSeconds > b.selfSeconds;
        }));
        // conv2d only dispatches: the arithmetic is in the ops below it.
        double below = 0;
        for (const auto& op : ops)
            if (op.name != "aten::conv2d" && op.name != "aten::relu") below += op.selfSeconds;
        QVERIFY(below > conv->selfSeconds);
    }

    // With shapes, calls of one op on different inputs are told apart.
    void shapesSplitCalls()
    {
        OpProfile profile(true);
        torch::relu(torch::ones({2, 3}));
        torch::relu(torch::ones({4}));
        torch::relu(torch::ones({4}));
        const auto ops = profile.finish(1);
        const auto* small = find(ops, "aten::relu [2, 3]");
        const auto* vector = find(ops, "aten::relu [4]");
        QVERIFY(small && vector);
        QCOMPARE(small->calls, 1.0);
        QCOMPARE(vector->calls, 2.0);
    }

    // The table: the top rows, then the rest's share.
    void tableListsTopOpsAndTheRest()
    {
        const std::vector<OpTime> ops = {{"a", 0.5, 1}, {"b", 0.3, 2}, {"c", 0.2, 4}};
        const auto table = profileTable(ops, 2);
        QVERIFY(table.find("1.000 s in ops") != std::string::npos);
        QVERIFY(table.find("a ") != std::string::npos);
        QVERIFY(table.find(" 50.0%") != std::string::npos);
        QVERIFY(table.find("c ") == std::string::npos);
        QVERIFY(table.find("(the other ops)") != std::string::npos);
        QVERIFY(table.find(" 20.0%") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestOpProfile)
#include "test_op_profile.moc"
