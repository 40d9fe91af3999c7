// The DARTS-family variants: PC-DARTS' partial channels, channel shuffle and edge normalisation,
// DrNAS' Dirichlet op weights (sampler gradient, KL term), their architecture gradients against
// central differences, and searches of each variant that learn Fashion-MNIST.

#include "darts/architect.h"
#include "darts/dirichlet.h"
#include "darts/hessian.h"
#include "darts/search_cell.h"
#include "darts/supernet.h"
#include "tiny_search.h"
#include "wb/darts/primitives.h"
#include "wb/darts/search.h"

#include <QTest>

#include <cmath>
#include <filesystem>

using namespace wb;
using namespace wb::darts;

namespace {

constexpr const char* kFashionMnist = "/usr/share/datasets/fashion-mnist";

torch::Tensor lossOf(Supernet& net, const Batch& b)
{
    return torch::nn::functional::cross_entropy(net->forward(b.x), b.y);
}

// A double-precision supernet of `variant` (cell 0 normal, cells 1-2 reduce) with alphas and
// betas far from uniform, two batches, and the optimisers the architect needs.
struct Fixture {
    Supernet net{nullptr};
    Batch train;
    Batch val;
    std::unique_ptr<torch::optim::SGD> sgd;
    std::unique_ptr<torch::optim::Adam> adam;

    explicit Fixture(const std::string& variant)
    {
        torch::manual_seed(5);
        SearchConfig c;
        c.variant = variant;
        c.channels = 4;
        c.layers = 3;
        c.nodes = 2;
        c.partialChannels = variant == "darts" ? 1 : 2;
        net = Supernet(SupernetSpec::of(c, 1, 3));
        net->to(torch::kFloat64);
        net->alphaNormal() = (0.7 * torch::randn({5, 8}, torch::kFloat64)).requires_grad_(true);
        net->alphaReduce() = (0.7 * torch::randn({5, 8}, torch::kFloat64)).requires_grad_(true);
        if (net->spec().edgeNormalisation) {
            net->betaNormal() = (0.7 * torch::randn({5}, torch::kFloat64)).requires_grad_(true);
            net->betaReduce() = (0.7 * torch::randn({5}, torch::kFloat64)).requires_grad_(true);
        }
        train = {torch::randn({6, 1, 7, 7}, torch::kFloat64),
                 torch::randint(3, {6}, torch::kInt64)};
        val = {torch::randn({6, 1, 7, 7}, torch::kFloat64), torch::randint(3, {6}, torch::kInt64)};
        sgd = std::make_unique<torch::optim::SGD>(net->parameters(),
                                                  torch::optim::SGDOptions(0.1).momentum(0.9));
        adam = std::make_unique<torch::optim::Adam>(net->alphas(), torch::optim::AdamOptions(0.01));
    }
};

// Central difference of `f` in entry `index` (flattened) of `t`.
double centralDifference(torch::Tensor& t, std::int64_t index, const std::function<double()>& f)
{
    const double h = 1e-6;
    auto flat = t.view({-1});
    const auto shift = [&](double by) {
        torch::NoGradGuard noGrad; // f itself may need autograd (the unrolled step)
        flat[index] += by;
    };
    shift(h);
    const double plus = f();
    shift(-2 * h);
    const double minus = f();
    shift(h);
    return (plus - minus) / (2 * h);
}

} // namespace

class TestVariants : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void channelShuffleInterleavesGroups()
    {
        // 8 channels in 4 groups of 2: output channel i comes from input (i % 4) * 2 + i / 4.
        const auto x = torch::randn({2, 8, 3, 5});
        for (const bool channelsLast : {false, true}) {
            const auto in = channelsLast ? x.contiguous(torch::MemoryFormat::ChannelsLast) : x;
            const auto y = channelShuffle(in, 4);
            QCOMPARE(y.sizes(), x.sizes());
            QCOMPARE(y.is_contiguous(torch::MemoryFormat::ChannelsLast), channelsLast);
            for (int i = 0; i < 8; ++i)
                QVERIFY(torch::equal(y.select(1, i), x.select(1, (i % 4) * 2 + i / 4)));
        }
    }

    void shuffledConcatIsOneShuffleOfTheConcatenation()
    {
        const auto sum = torch::randn({2, 3, 5, 5});
        const auto rest = torch::randn({2, 9, 5, 5});
        const auto expected = channelShuffle(torch::cat({sum, rest}, 1), 4);
        QVERIFY(torch::equal(shuffledConcat(sum, rest, 4), expected));
        const auto cl = [](const torch::Tensor& t) {
            return t.contiguous(torch::MemoryFormat::ChannelsLast);
        };
        QVERIFY(torch::equal(shuffledConcat(cl(sum), cl(rest), 4), expected));
    }

    void partialChannelsBypassTheOps()
    {
        // K = 4 of 8 channels: the ops see channels 0-1, channels 2-7 pass unchanged (stride 1)
        // or max-pooled to the strided ops' size (stride 2, odd input), then are shuffled.
        torch::manual_seed(1);
        const auto x = torch::randn({2, 8, 7, 7});
        const auto relu = torch::relu(x);
        std::vector<torch::Tensor> weights;
        for (int k = 0; k < 8; ++k)
            weights.push_back(torch::tensor(0.125));
        MixedOp same(8, 1, standardPrimitives(), 4);
        auto y = same->forward(x, relu, weights);
        QCOMPARE(y.sizes(), x.sizes());
        const auto unshuffled = channelShuffle(y, 2); // 4 groups of 2 back to 2 groups of 4
        QVERIFY(torch::equal(unshuffled.narrow(1, 2, 6), x.narrow(1, 2, 6)));

        MixedOp reduce(8, 2, standardPrimitives(), 4);
        y = reduce->forward(x, relu, weights);
        QCOMPARE(y.sizes(), (torch::IntArrayRef{2, 8, 4, 4}));
        const auto pooled = torch::max_pool2d(x.narrow(1, 2, 6), 2, 2, 0, 1, true);
        QVERIFY(torch::equal(channelShuffle(y, 2).narrow(1, 2, 6), pooled));
        // The ops are built for a quarter of the channels.
        for (const auto& p : reduce->named_parameters())
            if (p.value().dim() == 4) QVERIFY(p.value().size(0) <= 2);
    }

    // The cell shuffles each node once (the shuffle is linear); the result must equal the sum
    // of the edges' own shuffled outputs (MixedOp::forward), for a normal and a reduction cell.
    void cellShufflesOncePerNodeAsEachEdgeWould()
    {
        for (const bool reduction : {false, true}) {
            torch::manual_seed(2);
            SearchCell cell(3, 8, 8, 8, reduction, false, standardPrimitives(), 4);
            const auto s0 = torch::randn({2, 8, 7, 7});
            const auto s1 = torch::randn({2, 8, 7, 7});
            const int edges = 2 + 3 + 4;
            const auto weights = torch::softmax(torch::randn({edges, 8}), -1);
            const auto edgeWeights = torch::rand({edges}) + 0.5;
            const auto y = cell->forward(s0, s1, weights, edgeWeights);

            const auto child = [&](const std::string& name) {
                return cell->named_children()[name];
            };
            std::vector<torch::Tensor> states{
                std::dynamic_pointer_cast<OpImpl>(child("preprocess0"))->forward(torch::relu(s0)),
                std::dynamic_pointer_cast<OpImpl>(child("preprocess1"))->forward(torch::relu(s1))};
            int edge = 0;
            for (int j = 0; j < 3; ++j) {
                torch::Tensor node = torch::zeros({});
                for (int i = 0; i < j + 2; ++i, ++edge) {
                    auto op = std::dynamic_pointer_cast<MixedOpImpl>(
                        child("edge_" + std::to_string(edge)));
                    const auto& x = states[std::size_t(i)];
                    node = node + edgeWeights[edge] *
                                      op->forward(x, torch::relu(x), weights[edge].unbind(0));
                }
                states.push_back(node);
            }
            const auto expected =
                torch::cat(std::vector<torch::Tensor>(states.begin() + 2, states.end()), 1);
            QCOMPARE(y.sizes(), expected.sizes());
            QVERIFY(torch::allclose(y, expected, 1e-5, 1e-5));
        }
    }

    void edgeWeightsAreASoftmaxPerNode()
    {
        Fixture f("pc-darts");
        const auto w = f.net->edgeWeights(f.net->betaNormal());
        QCOMPARE(w.size(0), std::int64_t(5)); // node 0: edges 0-1, node 1: edges 2-4
        QVERIFY(std::abs(w.narrow(0, 0, 2).sum().item<double>() - 1) < 1e-12);
        QVERIFY(std::abs(w.narrow(0, 2, 3).sum().item<double>() - 1) < 1e-12);
        QVERIFY(torch::allclose(w.narrow(0, 2, 3),
                                torch::softmax(f.net->betaNormal().narrow(0, 2, 3), 0)));
        QVERIFY(!f.net->architectureRegulariser(1e-3).defined()); // no KL outside DrNAS
        QCOMPARE(f.net->alphas().size(), std::size_t(4));
    }

    void pcDartsGradientsMatchCentralDifferences()
    {
        for (const int order : {1, 2}) {
            Fixture f("pc-darts");
            DartsArchitect arch(f.net, *f.sgd, *f.adam, order, 0.05, 0.9, 0, 1e-6);
            const auto grads = arch.alphaGradients({f.train}, {f.val}, 0.05);
            QCOMPARE(grads.size(), std::size_t(4)); // alpha normal, reduce; beta normal, reduce
            // L_val at the weights the order evaluates it at (w, or one SGD step on).
            const auto objective = [&] {
                if (order == 1) return lossOf(f.net, f.val).item<double>();
                auto weights = f.net->parameters();
                auto g = torch::autograd::grad({lossOf(f.net, f.train)}, weights);
                std::vector<torch::Tensor> saved;
                torch::NoGradGuard noGrad;
                for (std::size_t i = 0; i < weights.size(); ++i) {
                    saved.push_back(weights[i].clone());
                    weights[i].sub_(0.05 * g[i]);
                }
                const double l = lossOf(f.net, f.val).item<double>();
                for (std::size_t i = 0; i < weights.size(); ++i)
                    weights[i].copy_(saved[i]);
                return l;
            };
            auto params = f.net->alphas();
            for (std::size_t a = 0; a < params.size(); ++a) {
                for (const std::int64_t index : {std::int64_t(1), std::int64_t(3)}) {
                    const double fd = centralDifference(params[a], index, objective);
                    const double got = grads[a].view({-1})[index].item<double>();
                    QVERIFY2(std::abs(fd - got) < 1e-6 + 1e-4 * std::abs(fd),
                             qPrintable(QString("order %1, parameter %2 [%3]: fd %4 vs %5")
                                            .arg(order)
                                            .arg(a)
                                            .arg(index)
                                            .arg(fd)
                                            .arg(got)));
                }
            }
        }
    }

    void dirichletKlMatchesTheBetaEntropy()
    {
        // Dir(a, b) is Beta(a, b) and Dir(1, 1) the uniform density: KL = -H(Beta(a, b)),
        // H = ln B(a, b) - (a - 1) psi(a) - (b - 1) psi(b) + (a + b - 2) psi(a + b).
        for (auto [a, b] : {std::pair{0.5, 0.5}, std::pair{2.0, 3.0}, std::pair{1.0, 1.0}}) {
            const auto p = torch::tensor({a, b}, torch::kFloat64);
            const double kl = dirichletKl(p, torch::ones_like(p)).item<double>();
            const auto psi = [](double v) {
                return torch::digamma(torch::tensor(v, torch::kFloat64)).item<double>();
            };
            const double lnB = std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
            const double entropy =
                lnB - (a - 1) * psi(a) - (b - 1) * psi(b) + (a + b - 2) * psi(a + b);
            QVERIFY2(std::abs(kl + entropy) < 1e-12, qPrintable(QString::number(kl)));
        }
        // Its autograd gradient against central differences (the alpha objective uses it).
        auto c = torch::tensor({1.5, 0.4, 2.2}, torch::kFloat64).requires_grad_(true);
        const auto q = torch::ones_like(c);
        const auto g = torch::autograd::grad({dirichletKl(c, q)}, {c})[0];
        for (std::int64_t i = 0; i < 3; ++i) {
            const double fd =
                centralDifference(c, i, [&] { return dirichletKl(c, q).item<double>(); });
            QVERIFY(std::abs(fd - g[i].item<double>()) < 1e-7);
        }
    }

    void dirichletSampleGradientIsUnbiased()
    {
        // d/dc E[x_0] = (S - c_0) / S^2 for j = 0 and -c_0 / S^2 otherwise (S = sum c). The
        // pathwise gradient averaged over many samples must approach it.
        torch::manual_seed(11);
        auto c = torch::tensor({1.5, 0.7, 2.0, 1.0}, torch::kFloat64).requires_grad_(true);
        const int n = 100000;
        const auto x = sampleDirichlet(c.expand({n, 4}));
        QVERIFY(torch::allclose(x.sum(-1), torch::ones({n}, torch::kFloat64)));
        const auto g = torch::autograd::grad({x.select(1, 0).mean()}, {c})[0];
        const double s = 5.2;
        for (int j = 0; j < 4; ++j) {
            const double expected = (j == 0 ? s - 1.5 : -1.5) / (s * s);
            QVERIFY2(std::abs(g[j].item<double>() - expected) < 3e-3,
                     qPrintable(
                         QString("j %1: %2 vs %3").arg(j).arg(g[j].item<double>()).arg(expected)));
        }
    }

    void drnasGradientIncludesTheKlTerm()
    {
        // In eval mode the op weights are the Dirichlet mean, so L_val is deterministic and the
        // first-order gradient must be that of L_val + w_kl * KL(Dir(elu(alpha) + 1) || Dir(1)).
        Fixture f("drnas");
        f.net->eval();
        const double klWeight = 0.5; // large, so a missing KL term would show
        DartsArchitect arch(f.net, *f.sgd, *f.adam, 1, 0.05, 0.9, 0, 1e-6, klWeight);
        const auto grads = arch.alphaGradients({f.train}, {f.val}, 0.05);
        const auto objective = [&] {
            return lossOf(f.net, f.val).item<double>() +
                   f.net->architectureRegulariser(klWeight).item<double>();
        };
        auto params = f.net->alphas();
        QCOMPARE(params.size(), std::size_t(2));
        for (std::size_t a = 0; a < params.size(); ++a)
            for (const std::int64_t index : {std::int64_t(0), std::int64_t(9)}) {
                const double fd = centralDifference(params[a], index, objective);
                const double got = grads[a].view({-1})[index].item<double>();
                QVERIFY2(std::abs(fd - got) < 1e-6 + 1e-4 * std::abs(fd),
                         qPrintable(QString("fd %1 vs %2").arg(fd).arg(got)));
            }
        // Training mode samples: two passes differ.
        f.net->train();
        QVERIFY(!torch::equal(f.net->opWeights(f.net->alphaNormal()),
                              f.net->opWeights(f.net->alphaNormal())));
    }

    void hessianEigenvalueMatchesTheFullHessian()
    {
        // The Hessian of L_val w.r.t. both alphas (80 x 80), built column by column from exact
        // products; its eigenvalue of largest magnitude is what the power iteration estimates.
        Fixture f("darts");
        const auto params = f.net->alphas();
        std::vector<torch::Tensor> buffers;
        for (const auto& b : f.net->buffers())
            buffers.push_back(b.detach().clone());
        const auto estimate = dominantHessianEigenvalue(f.net, f.val, 2000, 7, 1e-12);
        // The search's BN statistics are left as they were.
        const auto after = f.net->buffers();
        for (std::size_t i = 0; i < buffers.size(); ++i)
            QVERIFY(torch::equal(buffers[i], after[i]));

        const auto loss = lossOf(f.net, f.val);
        auto grads = torch::autograd::grad({loss}, params, {}, true, true);
        const auto flat = torch::cat({grads[0].flatten(), grads[1].flatten()});
        const auto n = flat.size(0);
        auto hessian = torch::empty({n, n}, torch::kFloat64);
        for (std::int64_t i = 0; i < n; ++i) {
            auto row = torch::autograd::grad({flat[i]}, params, {}, true, false);
            hessian[i] = torch::cat({row[0].flatten(), row[1].flatten()});
        }
        QVERIFY(torch::allclose(hessian, hessian.t(), 1e-8, 1e-10));
        const auto eig = torch::linalg_eigvalsh(hessian, "L");
        const auto dominant = eig[eig.abs().argmax()].item<double>();
        QVERIFY2(std::abs(estimate.eigenvalue - dominant) < 1e-6 * std::abs(dominant),
                 qPrintable(QString("power %1 vs eigvalsh %2 after %3 products")
                                .arg(estimate.eigenvalue)
                                .arg(dominant)
                                .arg(estimate.iterations)));
    }

    void everyVariantLearnsFashionMnist_data()
    {
        QTest::addColumn<QString>("variant");
        QTest::newRow("darts") << "darts";
        QTest::newRow("pc-darts") << "pc-darts";
        QTest::newRow("drnas") << "drnas";
    }
    void everyVariantLearnsFashionMnist()
    {
        if (!std::filesystem::is_directory(kFashionMnist)) QSKIP("Fashion-MNIST is not installed");
        QFETCH(QString, variant);
        auto c = wb::test::tinySearchConfig(kFashionMnist, 3);
        c.variant = variant.toStdString();
        c.channels = 8; // pc-darts: K = 4, 2-channel ops
        c.data.maxPerClass = 60;
        c.data.imageSize = 16;
        c.batchSize = 32;
        c.weights.lr = 0.1;      // few steps: a faster start than the DARTS default 0.025
        c.hessianIterations = 3; // the DARTS-ES signal, recorded with its cost
        RunControl control;
        RunObserver quiet;
        const auto r = runSearch(c, control, quiet);
        QVERIFY2(r.status == RunStatus::Done, r.error.c_str());
        QCOMPARE(int(r.epochs.size()), 3);
        const double chance = 0.1;
        QVERIFY2(r.epochs.back().valAcc > chance + 0.3,
                 qPrintable(QString("val acc %1").arg(r.epochs.back().valAcc)));
        QCOMPARE(r.alphas.edgeNormal.size(), std::size_t(variant == "pc-darts" ? 5 : 0));
        QVERIFY(std::isfinite(r.alphas.signals.hessianEigenvalue));
        QVERIFY(r.alphas.signals.hessianSeconds > 0);
        QCOMPARE(int(r.genotype.normal.size()), 2 * 2);
    }
};

QTEST_APPLESS_MAIN(TestVariants)
#include "test_variants.moc"
