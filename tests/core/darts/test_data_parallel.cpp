// Data-parallel search: two ranks (threads of this process standing in for processes, meeting
// over a loopback TCPStore) compute exactly what one process computes with the same two shards,
// resume like it, and refuse what cannot work with a clear error.

#include "synthetic_idx.h"
#include "darts/architect.h"
#include "darts/checkpoint.h"
#include "darts/rank_group.h"
#include "darts/supernet.h"
#include "tiny_search.h"
#include "wb/common/error.h"
#include "wb/darts/search.h"

#include <QTemporaryDir>
#include <QTest>

#include <future>

using namespace wb;
using namespace wb::darts;

namespace {

struct Recorder : RunObserver {
    std::vector<CheckpointInfo> checkpoints;
    RunControl* control = nullptr;
    int stopInEpoch = 0; // asks for a stop during this epoch's first step
    void onStep(const StepMetrics& m) override
    {
        if (control && m.epoch == stopInEpoch && m.step == 1) control->requestStop();
    }
    void onCheckpoint(const CheckpointInfo& c) override { checkpoints.push_back(c); }
    std::vector<CheckpointInfo> newestFirst() const { return {checkpoints.rbegin(), checkpoints.rend()}; }
};

ProcessGroupSpec rankSpec(int rank, int port, const std::string& digest = "test")
{
    ProcessGroupSpec spec;
    spec.rank = rank;
    spec.worldSize = 2;
    spec.masterPort = port;
    spec.timeoutSeconds = 30;
    spec.launchDigest = digest;
    return spec;
}

// Runs rank 0 (`rank0`, given the group) on this thread and rank 1 on another.
template <typename Rank0>
std::pair<SearchResult, SearchResult> twoRanks(Rank0&& rank0, const std::string& digest1 = "test")
{
    const int port = freeLoopbackPort();
    auto helper = std::async(std::launch::async, [&] {
        RunControl control;
        RunObserver silent;
        RuntimeConfig local;
        local.threads = 1;
        return runSearchRank(rankSpec(1, port, digest1), local, control, silent);
    });
    auto first = rank0(rankSpec(0, port));
    return {std::move(first), helper.get()};
}

// The largest difference between the networks (weights and alphas; with `statistics` also the
// BatchNorm running statistics) of two search checkpoints. Without --sync-bn the statistics are
// each rank's own, as in DDP: rank 0's saw only its shards.
double checkpointDistance(const SearchConfig& config, const std::string& a, const std::string& b,
                          bool statistics = false)
{
    const auto spec = SupernetSpec::of(config, 1, 4);
    Supernet x(spec), y(spec);
    loadSupernetWeights(a, x);
    loadSupernetWeights(b, y);
    double worst = 0;
    const auto px = x->named_parameters(), py = y->named_parameters();
    for (const auto& item : px)
        worst = std::max(worst, (item.value() - py[item.key()]).abs().max().item<double>());
    // num_batches_tracked counts forward passes and changes no number (the momentum is fixed).
    const auto bx = x->named_buffers(), by = y->named_buffers();
    for (const auto& item : bx)
        if (statistics && item.value().is_floating_point())
            worst = std::max(worst, (item.value() - by[item.key()]).abs().max().item<double>());
    const auto ax = x->alphas(), ay = y->alphas();
    for (std::size_t i = 0; i < ax.size(); ++i)
        worst = std::max(worst, (ax[i] - ay[i]).abs().max().item<double>());
    return worst;
}

} // namespace

class TestDataParallel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        wb::test::writeSeparableIdx(m_dir.path().toStdString(), 4, 32, 10);
    }

    // The shards of a batch give the mean of their gradients (each shard with its own BatchNorm
    // statistics), for the weights and for the architecture.
    void shardGradientsAreTheMeanOfTheShardGradients()
    {
        torch::manual_seed(3);
        auto config = config_("shards", 1);
        Supernet net(SupernetSpec::of(config, 1, 4));
        const Batch a{torch::randn({8, 1, 10, 10}), torch::randint(4, {8})};
        const Batch b{torch::randn({8, 1, 10, 10}), torch::randint(4, {8})};
        torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.0));
        torch::optim::Adam adam(net->alphas(), torch::optim::AdamOptions(1e-3));
        DartsArchitect arch(net, sgd, adam, 1, -1, 0.9, 3e-4);
        const auto both = arch.alphaGradients({a}, {a, b}, 0.1);
        const auto onlyA = arch.alphaGradients({a}, {a}, 0.1);
        const auto onlyB = arch.alphaGradients({a}, {b}, 0.1);
        for (std::size_t i = 0; i < both.size(); ++i)
            QVERIFY(torch::allclose(both[i], (onlyA[i] + onlyB[i]) / 2, 1e-5, 1e-7));

        const auto weights = net->parameters();
        const auto forward = [&](const torch::Tensor& x) { return net->forward(x); };
        const auto gradsOf = [&](const Shards& shards) {
            weightStep(forward, sgd, weights, shards, 1e9); // lr 0: the weights stay
            std::vector<torch::Tensor> g;
            for (const auto& w : weights)
                g.push_back(w.grad().defined() ? w.grad().clone() : torch::zeros_like(w));
            return g;
        };
        const auto gBoth = gradsOf({a, b}), gA = gradsOf({a}), gB = gradsOf({b});
        for (std::size_t i = 0; i < gBoth.size(); ++i)
            QVERIFY(torch::allclose(gBoth[i], (gA[i] + gB[i]) / 2, 1e-5, 1e-7));
    }

    void twoRanksEqualOneProcessWithTwoShards_data()
    {
        QTest::addColumn<int>("order");
        QTest::newRow("first order") << 1;
        QTest::newRow("second order") << 2;
    }
    void twoRanksEqualOneProcessWithTwoShards()
    {
        QFETCH(int, order);
        const auto tag = std::to_string(order);
        RunControl control;
        Recorder reference;
        const auto one = runSearch(config_("one-" + tag, order), control, reference);
        QVERIFY2(one.status == RunStatus::Done, one.error.c_str());

        Recorder rank0;
        const auto [r0, r1] = twoRanks([&](const ProcessGroupSpec& spec) {
            auto c = config_("two-" + tag, order);
            c.runtime.group = spec;
            RunControl control0;
            return runSearch(c, control0, rank0);
        });
        QVERIFY2(r0.status == RunStatus::Done, r0.error.c_str());
        QVERIFY2(r1.status == RunStatus::Done, r1.error.c_str());
        QCOMPARE(int(rank0.checkpoints.size()), 1); // only rank 0 writes
        const double d = checkpointDistance(config_("x", order), reference.checkpoints[0].path,
                                            rank0.checkpoints[0].path);
        qInfo("order %d: largest weight or alpha difference after 3 steps %.3g", order, d);
        QVERIFY2(d < 1e-5, qPrintable(QString::number(d)));
        QCOMPARE(r0.epochs.size(), one.epochs.size());
        QVERIFY(std::abs(r0.epochs[0].trainLoss - one.epochs[0].trainLoss) < 1e-6);
        QVERIFY(std::abs(r0.epochs[0].valLoss - one.epochs[0].valLoss) < 1e-6);
        QVERIFY(std::abs(r0.epochs[0].valAcc - one.epochs[0].valAcc) < 1e-9);
    }

    // With synchronised BatchNorm two ranks of one shard each compute what one process computes
    // on the whole batch, statistics over all 16 images; per-shard statistics differ from it.
    void syncBatchNormRanksEqualTheWholeBatch_data()
    {
        QTest::addColumn<int>("order");
        QTest::newRow("first order") << 1;
        QTest::newRow("second order") << 2;
    }
    void syncBatchNormRanksEqualTheWholeBatch()
    {
        QFETCH(int, order);
        const auto tag = std::to_string(order);
        RunControl control;
        Recorder whole, alone, perShard;
        auto c = config_("whole-" + tag, order);
        c.shards = 1;
        QVERIFY(runSearch(c, control, whole).status == RunStatus::Done);
        c = config_("sync-alone-" + tag, order);
        c.syncBatchNorm = true; // one process: its two shards pass together
        QVERIFY(runSearch(c, control, alone).status == RunStatus::Done);
        QVERIFY(runSearch(config_("per-shard-" + tag, order), control, perShard).status ==
                RunStatus::Done);

        Recorder rank0;
        const auto [r0, r1] = twoRanks([&](const ProcessGroupSpec& spec) {
            auto c2 = config_("sync-" + tag, order);
            c2.syncBatchNorm = true;
            c2.runtime.group = spec;
            RunControl control0;
            return runSearch(c2, control0, rank0);
        });
        QVERIFY2(r0.status == RunStatus::Done, r0.error.c_str());
        QVERIFY2(r1.status == RunStatus::Done, r1.error.c_str());
        const auto config = config_("x", order);
        const auto wholePath = whole.checkpoints[0].path;
        QCOMPARE(checkpointDistance(config, wholePath, alone.checkpoints[0].path, true), 0.0);
        const double synced =
            checkpointDistance(config, wholePath, rank0.checkpoints[0].path, true);
        const double unsynced = checkpointDistance(config, wholePath, perShard.checkpoints[0].path);
        qInfo("order %d: largest difference from the whole batch after 3 steps: %.3g with "
              "--sync-bn (running statistics included), %.3g in the weights and alphas with "
              "per-shard statistics",
              order, synced, unsynced);
        QVERIFY2(synced < 1e-5, qPrintable(QString::number(synced)));
        QVERIFY(unsynced > 100 * synced);
    }

    // Ranks as threads of one process (the workbench's data-parallel search) compute what the
    // ranks of a process group compute; a bad config fails at once instead of leaving them
    // waiting for each other.
    void threadRanksEqualOneProcessWithTwoShards()
    {
        RunControl control;
        Recorder reference, threads;
        QVERIFY(runSearch(config_("threads-ref", 1), control, reference).status ==
                RunStatus::Done);
        auto c = config_("threads", 1);
        c.shards = 1; // at least one per rank: 2
        c.runtime.localRanks = 2;
        const auto r = runSearch(c, control, threads);
        QVERIFY2(r.status == RunStatus::Done, r.error.c_str());
        QCOMPARE(r.config.shards, 2);
        QCOMPARE(int(threads.checkpoints.size()), 1);
        const double d = checkpointDistance(config_("x", 1), reference.checkpoints[0].path,
                                            threads.checkpoints[0].path);
        QVERIFY2(d < 1e-5, qPrintable(QString::number(d)));

        c.batchSize = 0;
        RunObserver silent;
        const auto bad = runSearch(c, control, silent);
        QVERIFY(bad.status == RunStatus::Failed);
        QVERIFY2(bad.error.find("batch") != std::string::npos, bad.error.c_str());
    }

    // Stopped in epoch 2, a 2-rank run resumed by 2 ranks, or by one process with both shards,
    // ends where the uninterrupted 2-rank run does.
    void resumedRanksEqualTheUninterruptedRun()
    {
        Recorder full;
        const auto [f0, f1] = twoRanks([&](const ProcessGroupSpec& spec) {
            auto c = config_("full", 1, 2);
            c.runtime.group = spec;
            RunControl control;
            return runSearch(c, control, full);
        });
        QVERIFY2(f0.status == RunStatus::Done, f0.error.c_str());

        Recorder stopped;
        const auto [s0, s1] = twoRanks([&](const ProcessGroupSpec& spec) {
            auto c = config_("stopped", 1, 2);
            c.runtime.group = spec;
            RunControl control;
            stopped.control = &control;
            stopped.stopInEpoch = 2;
            auto r = runSearch(c, control, stopped);
            stopped.control = nullptr;
            return r;
        });
        QVERIFY(s0.status == RunStatus::Cancelled);
        QVERIFY2(s1.status == RunStatus::Cancelled, s1.error.c_str()); // the stop reached rank 1
        QCOMPARE(int(stopped.checkpoints.size()), 1);

        Recorder resumed;
        const auto [g0, g1] = twoRanks([&](const ProcessGroupSpec& spec) {
            auto c = config_("stopped", 1, 2);
            c.runtime.group = spec;
            RunControl control;
            return resumeSearch(c, stopped.newestFirst(), control, resumed);
        });
        QVERIFY2(g0.status == RunStatus::Done, g0.error.c_str());
        QVERIFY2(g1.status == RunStatus::Done, g1.error.c_str());
        const auto config = config_("x", 1, 2);
        double d = checkpointDistance(config, full.checkpoints.back().path,
                                      resumed.checkpoints.back().path);
        qInfo("resumed by 2 ranks: largest difference %.3g", d);
        QVERIFY2(d < 1e-5, qPrintable(QString::number(d)));

        Recorder alone;
        RunControl control;
        const auto a = resumeSearch(config_("stopped", 1, 2), stopped.newestFirst(), control, alone);
        QVERIFY2(a.status == RunStatus::Done, a.error.c_str());
        d = checkpointDistance(config, full.checkpoints.back().path, alone.checkpoints.back().path);
        qInfo("resumed by one process: largest difference %.3g", d);
        QVERIFY2(d < 1e-5, qPrintable(QString::number(d)));
    }

    void ranksStartedDifferentlyAreRefused()
    {
        const auto [r0, r1] = twoRanks(
            [&](const ProcessGroupSpec& spec) {
                auto c = config_("mismatch", 1);
                c.runtime.group = spec;
                RunControl control;
                RunObserver silent;
                return runSearch(c, control, silent);
            },
            "another command");
        for (const auto* r : {&r0, &r1}) {
            QVERIFY(r->status == RunStatus::Failed);
            QVERIFY2(r->error.find("rank 1's launch command differs from rank 0's") !=
                         std::string::npos,
                     r->error.c_str());
        }
    }

    // A rank that never comes is reported after the timeout, not after c10d's 30 minutes.
    void aMissingRankFailsWithinTheTimeout()
    {
        auto c = config_("alone", 1);
        c.runtime.group = rankSpec(0, freeLoopbackPort());
        c.runtime.group.timeoutSeconds = 2;
        RunControl control;
        RunObserver silent;
        const auto r = runSearch(c, control, silent);
        QVERIFY(r.status == RunStatus::Failed);
        QVERIFY2(r.error.find("rank 0 of 2") != std::string::npos &&
                     r.error.find("not every rank arrived within 2 s") != std::string::npos,
                 r.error.c_str());
    }

    void shardsMustDivideTheBatchAndTheRanks()
    {
        auto c = config_("bad", 1);
        c.shards = 3;
        try {
            c.validate();
            QFAIL("3 shards of a batch of 16 accepted");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("shards") != std::string::npos, e.what());
        }
        c.shards = 1;
        c.runtime.group = rankSpec(0, 1);
        RunControl control;
        RunObserver silent;
        const auto r = runSearch(c, control, silent);
        QVERIFY(r.status == RunStatus::Failed);
        QVERIFY2(r.error.find("cannot be split among 2 processes") != std::string::npos,
                 r.error.c_str());
    }

private:
    // 3 steps of batch 16 in 2 shards per epoch.
    SearchConfig config_(const std::string& name, int order, int epochs = 1) const
    {
        auto c = wb::test::tinySearchConfig(m_dir.path().toStdString(), epochs);
        c.runtime.seed = 7;
        c.order = order;
        c.stepsPerEpoch = 3;
        // DARTS' alpha rate: the small-run budget's higher one would magnify the float noise of
        // the shard sums that the tolerances here are set for.
        c.alphaStepBudget = 0;
        c.shards = 2;
        c.checkpointDir = m_dir.path().toStdString() + "/" + name;
        return c;
    }

    QTemporaryDir m_dir;
};

QTEST_APPLESS_MAIN(TestDataParallel)
#include "test_data_parallel.moc"
