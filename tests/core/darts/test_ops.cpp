// Op and network shapes, MixedOp weighting, channels_last equivalence.

#include "darts/eval_network.h"
#include "darts/kernel_choice.h"
#include "darts/ops.h"
#include "darts/pool.h"
#include "darts/search_cell.h"
#include "darts/sync_batch_norm.h"
#include "darts/supernet.h"
#include "darts/tensor_data.h"
#include "wb/common/error.h"
#include "wb/darts/bench.h"
#include "wb/darts/genotype.h"
#include "wb/darts/primitives.h"

#include <QTest>

#include <cmath>

using namespace wb::darts;

class TestOps : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { torch::manual_seed(0); }

    void opShapes_data()
    {
        QTest::addColumn<QString>("op");
        QTest::addColumn<int>("stride");
        QTest::addColumn<int>("size");
        for (const auto& op : standardPrimitives()) {
            if (op == "none") continue;
            for (int stride : {1, 2})
                for (int size : {8, 7}) {
                    const auto name =
                        op + " stride " + std::to_string(stride) + " size " + std::to_string(size);
                    QTest::newRow(name.c_str()) << QString::fromStdString(op) << stride << size;
                }
        }
    }
    void opShapes()
    {
        QFETCH(QString, op);
        QFETCH(int, stride);
        QFETCH(int, size);
        for (bool affine : {false, true}) {
            auto module = makeOp(op.toStdString(), 6, stride, affine);
            auto x = torch::randn({2, 6, size, size});
            auto y = module->forward(module->preRelu() ? torch::relu(x) : x);
            const int out = stride == 1 ? size : (size + 1) / 2;
            QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{2, 6, out, out}));
            // Search ops (affine = false) have no BN weights; derived ops do.
            bool hasAffine = false;
            for (const auto& p : module->named_parameters())
                if (p.key().find("bn.weight") != std::string::npos) hasAffine = true;
            if (!affine) QVERIFY(!hasAffine);
        }
    }

    void noneHasNoModule()
    {
        bool threw = false;
        try {
            makeOp("none", 4, 1, false);
        } catch (const wb::Error&) {
            threw = true;
        }
        QVERIFY(threw);
    }

    void mixedOpIsTheWeightedSum()
    {
        const std::vector<std::string> prims = {"none", "avg_pool_3x3", "skip_connect",
                                                "sep_conv_3x3"};
        MixedOp mixed(4, 1, prims);
        mixed->eval(); // BN on running stats: each op is a fixed function
        auto x = torch::randn({2, 4, 6, 6});
        auto rx = torch::relu(x);
        auto one = [&](int k) {
            std::vector<torch::Tensor> w;
            for (int i = 0; i < 4; ++i)
                w.push_back(torch::tensor(i == k ? 1.0f : 0.0f));
            return mixed->forward(x, rx, w);
        };
        // skip_connect with weight 1 and the rest 0 returns x itself.
        QVERIFY(torch::allclose(one(2), x));
        const std::vector<torch::Tensor> w = {torch::tensor(0.4f), torch::tensor(0.1f),
                                              torch::tensor(0.2f), torch::tensor(0.3f)};
        auto expected = 0.1f * one(1) + 0.2f * one(2) + 0.3f * one(3); // `none` adds nothing
        QVERIFY(torch::allclose(mixed->forward(x, rx, w), expected, 1e-5, 1e-6));
    }

    void poolingMatchesATen_data()
    {
        QTest::addColumn<bool>("max");
        QTest::addColumn<int>("stride");
        QTest::addColumn<bool>("ties");
        QTest::addColumn<bool>("channelsLast");
        for (const bool max : {true, false})
            for (const int stride : {1, 2})
                for (const bool ties : {false, true})
                    for (const bool channelsLast : {true, false})
                        QTest::addRow("%s stride %d%s %s", max ? "max" : "avg", stride,
                                      ties ? " ties" : "", channelsLast ? "NHWC" : "NCHW")
                            << max << stride << ties << channelsLast;
    }

    // Our kernels against ATen's pooling in both layouts: values, gradients and the second
    // derivative through the backward (what the Hessian of the collapse signal takes), on odd
    // and even sizes; with ties (integer-valued images) the maximum's gradient goes to the first
    // maximum of the window in both.
    void poolingMatchesATen()
    {
        QFETCH(bool, max);
        QFETCH(int, stride);
        QFETCH(bool, ties);
        QFETCH(bool, channelsLast);
        const auto layout =
            channelsLast ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
        auto x = torch::randn({3, 5, 9, 6}); // over 7 x 7: ours at stride 2 too
        if (ties) x = x.mul(1.5).round();
        x = x.contiguous(layout).requires_grad_();
        const auto ref = x.detach().clone().requires_grad_();
        const auto aten = [&](const torch::Tensor& t) {
            return max ? torch::max_pool2d(t, 3, stride, 1)
                       : torch::avg_pool2d(t, 3, stride, 1, false, false);
        };
        const auto y = wb::darts::pool3x3(x, max, stride);
        const auto yRef = aten(ref);
        QVERIFY(y.is_contiguous(layout));
        QCOMPARE(y.sizes().vec(), yRef.sizes().vec());
        QVERIFY(torch::allclose(y, yRef, 1e-6, 1e-6));
        if (max) QVERIFY(torch::equal(y, yRef));

        const auto gy = torch::randn(y.sizes());
        const auto gx = torch::autograd::grad({y}, {x}, {gy})[0];
        const auto gxRef = torch::autograd::grad({yRef}, {ref}, {gy})[0];
        QVERIFY(torch::allclose(gx, gxRef, 1e-6, 1e-6));
        if (max) QVERIFY(torch::equal(gx, gxRef));

        // d/dv of <grad_x <y, v>, u>: the backward differentiated once more.
        const auto secondOrder = [&](const torch::Tensor& input, auto&& pool) {
            const auto v = torch::ones(y.sizes()).mul(0.5).requires_grad_();
            const auto g = torch::autograd::grad({pool(input)}, {input}, {v}, true, true)[0];
            const auto u = torch::linspace(-1, 1, g.numel()).view(g.sizes());
            return torch::autograd::grad({(g * u).sum()}, {v})[0];
        };
        const auto ours = secondOrder(
            x, [&](const torch::Tensor& t) { return wb::darts::pool3x3(t, max, stride); });
        QVERIFY(torch::allclose(ours, secondOrder(ref, aten), 1e-6, 1e-6));
        QVERIFY(ours.abs().sum().item<double>() > 0);
    }

    void convolutionsMatchATen_data()
    {
        QTest::addColumn<int>("kernel");
        QTest::addColumn<int>("stride");
        QTest::addColumn<int>("dilation");
        QTest::addColumn<int>("size");
        for (const int kernel : {3, 5})
            for (const int stride : {1, 2})
                for (const int dilation : {1, 2})
                    for (const int size : {7, 8})
                        QTest::addRow("%dx%d stride %d dilation %d size %d", kernel, kernel, stride,
                                      dilation, size)
                            << kernel << stride << dilation << size;
    }

    // depthwiseConv then pointwise (a DilConv without its BN) against torch::conv2d: values,
    // the gradients of the input and both weights, and a second derivative (what the Hessian of
    // the collapse signal takes), on NCHW images (our kernels) and channels-last ones (ATen's).
    void convolutionsMatchATen()
    {
        QFETCH(int, kernel);
        QFETCH(int, stride);
        QFETCH(int, dilation);
        QFETCH(int, size);
        const int padding = dilation * (kernel / 2);
        for (const auto layout :
             {torch::MemoryFormat::Contiguous, torch::MemoryFormat::ChannelsLast}) {
            const auto x = torch::randn({3, 4, size, size}).contiguous(layout).requires_grad_();
            const auto dw = torch::randn({4, 1, kernel, kernel}).requires_grad_();
            const auto pw = torch::randn({5, 4, 1, 1}).requires_grad_();
            const auto ours = [&] {
                return pointwise(depthwiseConv(x, dw, stride, padding, dilation), pw);
            };
            const auto aten = [&] {
                return torch::conv2d(torch::conv2d(x, dw, {}, stride, padding, dilation, 4), pw);
            };
            const auto y = ours();
            const auto yRef = aten();
            QCOMPARE(y.sizes().vec(), yRef.sizes().vec());
            QVERIFY(torch::allclose(y, yRef, 1e-5, 1e-5));
            const auto gy = torch::randn(y.sizes());
            const auto grads = torch::autograd::grad({y}, {x, dw, pw}, {gy});
            const auto gradsRef = torch::autograd::grad({yRef}, {x, dw, pw}, {gy});
            for (std::size_t i = 0; i < grads.size(); ++i)
                QVERIFY2(torch::allclose(grads[i], gradsRef[i], 1e-4, 1e-4),
                         std::to_string(i).c_str());

            // d/dv of <grad_(x, dw) <y, v>, u>: the backward differentiated once more.
            const auto secondOrder = [&](auto&& f) {
                const auto v = torch::full(y.sizes(), 0.5).requires_grad_();
                const auto g = torch::autograd::grad({f()}, {x, dw}, {v}, true, true);
                const auto dot =
                    (g[0] * torch::linspace(-1, 1, g[0].numel()).view(g[0].sizes())).sum() +
                    (g[1] * torch::linspace(1, 2, g[1].numel()).view(g[1].sizes())).sum();
                return torch::autograd::grad({dot}, {v})[0];
            };
            const auto second = secondOrder(ours);
            QVERIFY(torch::allclose(second, secondOrder(aten), 1e-4, 1e-4));
            QVERIFY(second.abs().sum().item<double>() > 0);
        }
    }

    void batchNormMatchesATen_data()
    {
        QTest::addColumn<bool>("affine");
        QTest::addColumn<bool>("channelsLast");
        for (const bool affine : {false, true})
            for (const bool channelsLast : {false, true})
                QTest::addRow("%s %s", affine ? "affine" : "plain", channelsLast ? "NHWC" : "NCHW")
                    << affine << channelsLast;
    }

    // SyncBatchNorm2d in training mode (our forward kernels on NCHW images) against
    // torch::batch_norm: the output, the running statistics after two steps, the gradients of
    // the input, weight and bias, and a second derivative (the collapse signal's Hessian). The
    // images have a mean far from zero (5) next to a spread of 0.5, which a one-pass variance
    // without a shift would lose.
    void batchNormMatchesATen()
    {
        QFETCH(bool, affine);
        QFETCH(bool, channelsLast);
        const auto layout =
            channelsLast ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
        wb::darts::SyncBatchNorm2d bn(5, affine);
        auto weight = affine ? torch::linspace(0.5, 2, 5).requires_grad_() : torch::Tensor();
        auto bias = affine ? torch::linspace(-1, 1, 5).requires_grad_() : torch::Tensor();
        if (affine) {
            torch::NoGradGuard noGrad;
            bn->weight.copy_(weight);
            bn->bias.copy_(bias);
        }
        auto runningMean = torch::zeros({5}), runningVar = torch::ones({5});
        const auto input = [&](int step) {
            return (torch::randn({3, 5, 7, 9}) * 0.5 + 5 + step)
                .contiguous(layout)
                .requires_grad_();
        };
        for (int step = 0; step < 2; ++step) {
            const auto x = input(step);
            const auto y = bn(x);
            const auto yRef = torch::batch_norm(x, weight, bias, runningMean, runningVar, true,
                                                0.1, 1e-5, false);
            QVERIFY(torch::allclose(y, yRef, 1e-5, 1e-5));
            QVERIFY(torch::allclose(bn->running_mean, runningMean, 1e-6, 1e-6));
            QVERIFY(torch::allclose(bn->running_var, runningVar, 1e-6, 1e-6));
            QVERIFY(!torch::allclose(runningMean, torch::zeros({5}))); // they did move
            std::vector<torch::Tensor> inputs{x};
            std::vector<torch::Tensor> inputsRef{x};
            if (affine) {
                inputs.insert(inputs.end(), {bn->weight, bn->bias});
                inputsRef.insert(inputsRef.end(), {weight, bias});
            }
            const auto gy = torch::randn(y.sizes());
            const auto grads = torch::autograd::grad({y}, inputs, {gy});
            const auto gradsRef = torch::autograd::grad({yRef}, inputsRef, {gy});
            for (std::size_t i = 0; i < grads.size(); ++i)
                QVERIFY2(torch::allclose(grads[i], gradsRef[i], 1e-4, 1e-4),
                         std::to_string(i).c_str());
            // d/dv of <grad_x <y, v>, u>.
            const auto secondOrder = [&](const torch::Tensor& out) {
                const auto v = torch::linspace(-1, 1, out.numel()).view(out.sizes());
                const auto vv = v.clone().requires_grad_();
                const auto g = torch::autograd::grad({out}, {x}, {vv}, true, true)[0];
                const auto u = torch::linspace(1, 2, g.numel()).view(g.sizes());
                return torch::autograd::grad({(g * u).sum()}, {vv})[0];
            };
            const auto second = secondOrder(bn(x));
            const auto secondRef = secondOrder(torch::batch_norm(
                x, weight, bias, runningMean.clone(), runningVar.clone(), true, 0.1, 1e-5, false));
            QVERIFY(torch::allclose(second, secondRef, 1e-4, 1e-4));
            QVERIFY(second.abs().sum().item<double>() > 0);
            // The extra forward above moved bn's statistics once more: set them back.
            torch::NoGradGuard noGrad;
            bn->running_mean.copy_(runningMean);
            bn->running_var.copy_(runningVar);
        }
        // One value per channel cannot train (BatchNorm2d's error), rather than a NaN variance.
        QVERIFY_THROWS_EXCEPTION(c10::Error, bn(torch::randn({1, 5, 1, 1}).contiguous(layout)));
    }

    // What `bench kernels` relies on: forcing ATen runs exactly ATen's ops (bit for bit), forcing
    // ours runs ours even where the shape rule would pick ATen (16 channels: different rounding,
    // same values), and the scope restores the rule.
    void kernelChoiceForcesEachImplementation()
    {
        using wb::darts::KernelChoice;
        using wb::darts::KernelChoiceScope;
        const auto x = torch::randn({4, 16, 7, 7});
        const auto w = torch::randn({16, 1, 5, 5});
        wb::darts::SyncBatchNorm2d bn(16, false);
        const auto conv = [&] { return depthwiseConv(x, w, 1, 2, 1); };
        const auto convRef = torch::conv2d(x, w, {}, 1, 2, 1, 16);
        const auto norm = [&] { return bn(x); };
        const auto normRef = torch::batch_norm(x, {}, {}, torch::zeros({16}), torch::ones({16}),
                                               true, 0.1, 1e-5, false);
        {
            const KernelChoiceScope aten(KernelChoice::Aten);
            QVERIFY(torch::equal(conv(), convRef));
            QVERIFY(torch::equal(norm(), normRef));
            QVERIFY(torch::equal(wb::darts::pool3x3(x, true, 1), torch::max_pool2d(x, 3, 1, 1)));
        }
        {
            const KernelChoiceScope ours(KernelChoice::Ours);
            QVERIFY(torch::allclose(conv(), convRef, 1e-5, 1e-5));
            QVERIFY(!torch::equal(conv(), convRef));
            QVERIFY(torch::allclose(norm(), normRef, 1e-5, 1e-5));
            QVERIFY(!torch::equal(norm(), normRef));
        }
        QVERIFY(torch::equal(conv(), convRef)); // the rule again: ATen's at 16 channels
    }

    void kernelBenchCoversEveryCase()
    {
        wb::darts::KernelBenchConfig config;
        config.repeats = 1;
        config.batch = 2;
        const auto rows = wb::darts::benchKernels(config);
        // 5 planes x (4 depthwise + 2 pools), a 1x1 per stride-1 plane, 4 batch norms.
        QCOMPARE(int(rows.size()), 5 * 6 + 3 + 4);
        for (const auto& r : rows)
            QVERIFY(r.oursMs > 0 && r.atenMs > 0 && r.dispatchedMs > 0);
        QCOMPARE(rows.front().input, std::string("2 x 4 x 28 x 28"));
        const auto table = wb::darts::kernelTable({{"op", "1 x 1 x 1 x 1", 2.0, 3.0, 2.0}});
        QVERIFY2(table.find("1.50x") != std::string::npos, table.c_str()); // ATen / ours
        QVERIFY_THROWS_EXCEPTION(wb::Error, wb::darts::benchKernels({.repeats = 0}));
    }

    void supernetShapesAndAlphas()
    {
        SupernetSpec spec{3, 5, 4, 3, 2, standardPrimitives(), {}};
        Supernet net(spec);
        QCOMPARE(net->alphaNormal().sizes().vec(), (std::vector<int64_t>{5, 8}));
        QCOMPARE(net->alphaReduce().sizes().vec(), (std::vector<int64_t>{5, 8}));
        auto y = net->forward(torch::randn({2, 3, 12, 12}));
        QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{2, 5}));
        // alpha is not among the weights w.
        for (const auto& p : net->parameters())
            QVERIFY(!p.is_same(net->alphaNormal()));
        // layers=3: cells 1 and 2 reduce (C 4 -> 8 -> 16); the last cell concatenates its
        // 2 nodes: 32 channels.
        QCOMPARE(net->features(torch::randn({2, 3, 12, 12})).size(1), 32);
    }

    void channelsLastGivesTheSameOutput()
    {
        SupernetSpec spec{1, 4, 4, 3, 2, standardPrimitives(), {}};
        Supernet a(spec);
        Supernet b(spec);
        {
            torch::NoGradGuard g;
            auto pa = a->parameters();
            auto pb = b->parameters();
            for (std::size_t i = 0; i < pa.size(); ++i)
                pb[i].copy_(pa[i]);
            b->alphaNormal().copy_(a->alphaNormal());
            b->alphaReduce().copy_(a->alphaReduce());
        }
        convertToChannelsLast(*b);
        for (const auto& p : b->parameters())
            if (p.dim() == 4) QVERIFY(p.is_contiguous(torch::MemoryFormat::ChannelsLast));
        auto x = torch::randn({4, 1, 10, 10});
        auto ya = a->forward(x);
        auto yb = b->forward(x.contiguous(torch::MemoryFormat::ChannelsLast));
        QVERIFY(torch::allclose(ya, yb, 1e-4, 1e-5));
    }

    // Issue 14: 1 to 3 channel convolutions in channels_last corrupt the heap in LibTorch 1.13's
    // oneDNN backward (intermittently), so the layout is decided by the smallest conv: C for
    // DARTS, C / k for a partial-channel (PC-DARTS) edge, 1 in the worst case.
    void placementAvoidsChannelsLastForTinyConvs_data()
    {
        QTest::addColumn<int>("smallest");
        QTest::addColumn<bool>("asked");
        QTest::addColumn<bool>("channelsLast");
        QTest::newRow("1 channel (PC-DARTS edge)") << 1 << true << false;
        QTest::newRow("2 channels") << 2 << true << false;
        QTest::newRow("3 channels") << 3 << true << false;
        QTest::newRow("4 channels (NCHW is faster)") << 4 << true << false;
        QTest::newRow("8 channels") << 8 << true << true;
        QTest::newRow("16 channels") << 16 << true << true;
        QTest::newRow("NCHW asked") << 16 << false << false;
        QTest::newRow("NCHW asked, 2 channels") << 2 << false << false;
    }
    void placementAvoidsChannelsLastForTinyConvs()
    {
        QFETCH(int, smallest);
        QFETCH(bool, asked);
        QFETCH(bool, channelsLast);
        RuntimeConfig runtime;
        runtime.channelsLast = asked;
        const auto p = makePlacement(runtime, smallest);
        QCOMPARE(p.channelsLast, channelsLast);
        // A note exactly when the request was overruled.
        QCOMPARE(p.layoutNote.empty(), asked == channelsLast);
    }

    // The configurations that crashed now train in NCHW: a few full weight steps with C = 1..3
    // (run under tools/sanitize.sh, AddressSanitizer would flag a stray write here).
    void tinyChannelWeightStepsRunClean()
    {
        for (int c = 1; c <= 3; ++c) {
            RuntimeConfig runtime;
            const auto placement = makePlacement(runtime, c);
            SupernetSpec spec{1, 4, c, 2, 2, standardPrimitives(), {}};
            Supernet net(spec);
            net->place(placement.device, placement.channelsLast);
            torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.05));
            const auto x = torch::randn({8, 1, 8, 8});
            const auto y = torch::randint(4, {8}, torch::kInt64);
            for (int step = 0; step < 3; ++step) {
                opt.zero_grad();
                const auto loss = torch::nn::functional::cross_entropy(net->forward(x), y);
                loss.backward();
                opt.step();
                QVERIFY(std::isfinite(loss.item<double>()));
            }
        }
    }

    void evalNetworkFollowsTheGenotype()
    {
        const auto g = Genotype::parse(
            "Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1), ('dil_conv_5x5', 2), "
            "('max_pool_3x3', 0)], normal_concat=[2, 3], reduce=[('avg_pool_3x3', 0), "
            "('skip_connect', 1), ('sep_conv_5x5', 2), ('skip_connect', 2)], reduce_concat=[2, "
            "3])");
        EvalNetwork net(g, 3, 7, 4, 3);
        auto y = net->forward(torch::randn({2, 3, 9, 9}));
        QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{2, 7}));
        // Cell 0 is normal with C=4: op_0 is sep_conv_3x3 = 2 x (depthwise 4*9 + pointwise
        // 4*4 + BN 2*4) = 120 weights; op_1 is skip_connect (identity), with none.
        int64_t op0 = 0, op1 = 0;
        for (const auto& p : net->named_parameters()) {
            if (p.key().rfind("cell_0.op_0.", 0) == 0) op0 += p.value().numel();
            if (p.key().rfind("cell_0.op_1.", 0) == 0) op1 += p.value().numel();
        }
        QCOMPARE(op0, int64_t(120));
        QCOMPARE(op1, int64_t(0));
    }
};

QTEST_APPLESS_MAIN(TestOps)
#include "test_ops.moc"
