// The second-order DARTS alpha gradient (finite-difference Hessian-vector product) against the
// exact gradient of L_val(w - xi * dL_train/dw, alpha) obtained by differentiating through the
// unrolled step, and against central differences of that function.

#include "darts/architect.h"
#include "darts/supernet.h"
#include "torch_compat.h"
#include "wb/darts/primitives.h"

#include <QTest>

using namespace wb::darts;

namespace {

constexpr double kXi = 0.05;
constexpr double kWeightDecay = 3e-4;
// At the reference scale 0.01 the perturbation crosses ReLU/max-pool kinks of this tiny network
// and the difference quotient is off by more than the gradient itself (measured: error 7.8e-2
// for a gradient of 3.6e-2); at 1e-6, in double precision, it is exact to ~1e-11.
constexpr double kSmallHvpScale = 1e-6;

torch::Tensor lossOf(Supernet& net, const Batch& b)
{
    return torch::nn::functional::cross_entropy(net->forward(b.x), b.y);
}

struct Fixture {
    Supernet net{nullptr};
    Batch train;
    Batch val;
    std::unique_ptr<torch::optim::SGD> sgd;
    std::unique_ptr<torch::optim::Adam> adam;

    Fixture()
    {
        torch::manual_seed(3);
        // layers=3: cell 0 normal, cells 1-2 reduce, so both alphas are in the graph.
        net = Supernet(SupernetSpec{1, 3, 2, 3, 2, standardPrimitives(), {}});
        net->to(torch::kFloat64);
        // Larger alphas than the 1e-3 init so the softmax is far from uniform.
        net->alphaNormal() = (0.7 * torch::randn({5, 8}, torch::kFloat64)).requires_grad_(true);
        net->alphaReduce() = (0.7 * torch::randn({5, 8}, torch::kFloat64)).requires_grad_(true);
        train = {torch::randn({6, 1, 6, 6}, torch::kFloat64),
                 torch::randint(3, {6}, torch::kInt64)};
        val = {torch::randn({6, 1, 6, 6}, torch::kFloat64), torch::randint(3, {6}, torch::kInt64)};
        sgd = std::make_unique<torch::optim::SGD>(
            net->parameters(),
            torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(kWeightDecay));
        adam = std::make_unique<torch::optim::Adam>(net->alphas(), torch::optim::AdamOptions(0.01));
    }

    DartsArchitect architect(int order, double hvpScale = DartsArchitect::kHvpScale)
    {
        return DartsArchitect(net, *sgd, *adam, order, kXi, 0.9, kWeightDecay, hvpScale);
    }

    // L_val(w'(alpha), alpha) with w' = w - xi * (grad_w L_train(w, alpha) + wd * w): the
    // function whose gradient second-order DARTS approximates (no momentum buffer yet).
    double unrolledValLoss()
    {
        auto weights = net->parameters();
        auto g = torch::autograd::grad({lossOf(net, train)}, weights);
        std::vector<torch::Tensor> saved;
        torch::NoGradGuard noGrad;
        for (std::size_t i = 0; i < weights.size(); ++i) {
            saved.push_back(weights[i].clone());
            weights[i].sub_(kXi * (g[i] + kWeightDecay * weights[i]));
        }
        const double l = lossOf(net, val).item<double>();
        for (std::size_t i = 0; i < weights.size(); ++i)
            weights[i].copy_(saved[i]);
        return l;
    }
};

double maxAbs(const torch::Tensor& t)
{
    return t.abs().max().item<double>();
}

} // namespace

class TestArchitect : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void secondOrderMatchesExactGradient()
    {
        Fixture f;
        auto arch = f.architect(2, kSmallHvpScale);
        const auto approx = arch.alphaGradients({f.train}, {f.val}, kXi);

        // Exact: v = grad_w' L_val(w'), then the mixed second derivative by double backward.
        auto weights = f.net->parameters();
        auto alphas = f.net->alphas();
        std::vector<torch::Tensor> saved;
        {
            auto g = torch::autograd::grad({lossOf(f.net, f.train)}, weights);
            torch::NoGradGuard noGrad;
            for (std::size_t i = 0; i < weights.size(); ++i) {
                saved.push_back(weights[i].clone());
                weights[i].sub_(kXi * (g[i] + kWeightDecay * weights[i]));
            }
        }
        std::vector<torch::Tensor> inputs = alphas;
        inputs.insert(inputs.end(), weights.begin(), weights.end());
        auto atUnrolled = torch::autograd::grad({lossOf(f.net, f.val)}, inputs);
        {
            torch::NoGradGuard noGrad;
            for (std::size_t i = 0; i < weights.size(); ++i)
                weights[i].copy_(saved[i]);
        }
        auto gTrain = torch::autograd::grad({lossOf(f.net, f.train)}, weights, {}, true, true);
        auto dot = torch::zeros({}, torch::kFloat64);
        for (std::size_t i = 0; i < weights.size(); ++i)
            dot = dot + (gTrain[i] * atUnrolled[alphas.size() + i].detach()).sum();
        auto hvp = torch::autograd::grad({dot}, alphas);

        for (std::size_t a = 0; a < alphas.size(); ++a) {
            const auto exact = atUnrolled[a] - kXi * hvp[a];
            const double scale = maxAbs(exact);
            const double err = maxAbs(approx[a] - exact);
            qInfo("alpha %zu: max |exact| %.3e, max |approx - exact| %.3e, hvp term %.3e", a, scale,
                  err, kXi * maxAbs(hvp[a]));
            QVERIFY(scale > 1e-4);
            QVERIFY2(err < 1e-6 * scale, "finite-difference HVP disagrees with the exact one");
            // The second-order term must matter here, or the check would prove nothing.
            QVERIFY(maxAbs(kXi * hvp[a]) > 20 * err);
        }
    }

    void secondOrderMatchesCentralDifferences()
    {
        Fixture f;
        auto arch = f.architect(2, kSmallHvpScale);
        const auto approx = arch.alphaGradients({f.train}, {f.val}, kXi);
        const double h = 1e-5;
        for (int a = 0; a < 2; ++a) {
            auto& alpha = a == 0 ? f.net->alphaNormal() : f.net->alphaReduce();
            for (auto [e, k] : {std::pair{0, 4}, std::pair{3, 1}, std::pair{4, 7}}) {
                double plus, minus;
                {
                    torch::NoGradGuard g;
                    alpha[e][k] += h;
                }
                plus = f.unrolledValLoss();
                {
                    torch::NoGradGuard g;
                    alpha[e][k] -= 2 * h;
                }
                minus = f.unrolledValLoss();
                {
                    torch::NoGradGuard g;
                    alpha[e][k] += h;
                }
                const double fd = (plus - minus) / (2 * h);
                const double got = approx[a][e][k].item<double>();
                QVERIFY2(std::abs(fd - got) < 1e-7 + 1e-5 * std::abs(fd),
                         qPrintable(QString("alpha %1 [%2,%3]: fd %4 vs %5")
                                        .arg(a)
                                        .arg(e)
                                        .arg(k)
                                        .arg(fd)
                                        .arg(got)));
            }
        }
    }

    void secondOrderLeavesWeightsUntouched()
    {
        Fixture f;
        std::vector<torch::Tensor> before;
        for (const auto& p : f.net->parameters())
            before.push_back(p.detach().clone());
        auto arch = f.architect(2);
        arch.alphaStep({f.train}, {f.val}, 0.1);
        const auto after = f.net->parameters();
        for (std::size_t i = 0; i < before.size(); ++i)
            QVERIFY(torch::equal(before[i], after[i]));
    }

    void momentumBuffersAreFoundByTheirKey()
    {
        // The second-order step reads SGD's momentum buffers by key (torch_compat.h): after one
        // weight step every parameter with a gradient must be found.
        Fixture f;
        f.sgd->zero_grad();
        lossOf(f.net, f.train).backward();
        f.sgd->step();
        int found = 0;
        for (const auto& p : f.net->parameters())
            found += f.sgd->state().count(wb::compat::optimizerStateKey(*f.sgd, p)) > 0;
        QCOMPARE(found, int(f.net->parameters().size()));
    }

    // Beta-decay's closed-form gradient against autograd of w * mean_e logsumexp(alpha_e), for
    // both orders; a weight of 0 adds nothing.
    void betaDecayAddsTheLogsumexpGradient()
    {
        for (const int order : {1, 2}) {
            Fixture f;
            auto arch = f.architect(order, kSmallHvpScale);
            const auto plain = arch.alphaGradients({f.train}, {f.val}, kXi);
            arch.setBetaDecay(0.0);
            QVERIFY(maxAbs(arch.alphaGradients({f.train}, {f.val}, kXi)[0] - plain[0]) < 1e-12);
            const double w = 2.5;
            arch.setBetaDecay(w);
            const auto decayed = arch.alphaGradients({f.train}, {f.val}, kXi);
            const auto alphas = f.net->alphas();
            const auto reg = w * torch::cat({torch::logsumexp(alphas[0], 1),
                                             torch::logsumexp(alphas[1], 1)})
                                     .mean();
            const auto expected = torch::autograd::grad({reg}, {alphas[0], alphas[1]});
            for (std::size_t i = 0; i < 2; ++i) {
                const double error = maxAbs(decayed[i] - plain[i] - expected[i]);
                QVERIFY2(error < 1e-12, qPrintable(QString::number(error)));
            }
        }
    }

    void firstOrderStepLowersValLoss()
    {
        Fixture f;
        auto arch = f.architect(1);
        f.net->eval(); // fixed BN statistics: L_val depends on alpha only
        const double start = lossOf(f.net, f.val).item<double>();
        for (int i = 0; i < 30; ++i)
            arch.alphaStep({f.train}, {f.val}, 0.1);
        QVERIFY(lossOf(f.net, f.val).item<double>() < start);
    }
};

QTEST_APPLESS_MAIN(TestArchitect)
#include "test_architect.moc"
