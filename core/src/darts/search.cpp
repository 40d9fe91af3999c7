#include "wb/darts/search.h"

#include "darts/architect.h"
#include "darts/checkpoint.h"
#include "darts/epoch_loop.h"
#include "darts/hessian.h"
#include "darts/rank_group.h"
#include "darts/supernet.h"
#include "darts/sync_batch_norm.h"
#include "darts/tensor_data.h"
#include "darts/warm_start.h"
#include "common/guarded.h"
#include "wb/common/error.h"
#include "wb/common/threads.h"
#include "wb/darts/collapse.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <algorithm>
#include <fstream>
#include <future>
#include <iterator>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>

#include <unistd.h>

namespace wb::darts {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kEvalBatch = 256; // images per validation forward pass

double secondsSince(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::vector<float> toVector(const torch::Tensor& t)
{
    auto c = t.detach().to(torch::kFloat32).contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

// Op weights times their edge's weight (PC-DARTS' derivation); unchanged without edge weights.
std::vector<float> edgeScaled(std::vector<float> ops, const std::vector<float>& edges)
{
    if (edges.empty()) return ops;
    const std::size_t perEdge = ops.size() / edges.size();
    for (std::size_t i = 0; i < ops.size(); ++i)
        ops[i] *= edges[i / perEdge];
    return ops;
}

AlphaSnapshot snapshot(Supernet& net, int epoch)
{
    torch::NoGradGuard noGrad;
    AlphaSnapshot s;
    s.epoch = epoch;
    s.ops = net->spec().primitives;
    s.edges = int(net->alphaNormal().size(0));
    s.normal = toVector(net->meanOpWeights(net->alphaNormal()));
    s.reduce = toVector(net->meanOpWeights(net->alphaReduce()));
    if (net->spec().edgeNormalisation) {
        s.edgeNormal = toVector(net->edgeWeights(net->betaNormal()));
        s.edgeReduce = toVector(net->edgeWeights(net->betaReduce()));
    }
    s.genotype = deriveGenotype(edgeScaled(s.normal, s.edgeNormal),
                                edgeScaled(s.reduce, s.edgeReduce), net->spec().nodes, s.ops);
    s.signals = computeCollapseSignals(s.normal, s.reduce, s.ops, s.genotype);
    return s;
}

// Holds everything one search owns; lives on the calling thread only.
class Search {
public:
    Search(const SearchConfig& config, RunControl& control, RunObserver& observer,
           SearchResult& result, const std::vector<CheckpointInfo>& resumeFrom, RankGroup& group)
        : m_config(config), m_control(control), m_observer(observer), m_result(result),
          m_resumeFrom(resumeFrom), m_group(group)
    {
    }

    void run()
    {
        const auto& rt = m_config.runtime;
        setComputeThreads(rt.threads);
        // Other ranks take rank 0's generator state with its network (shareStartingState).
        if (m_group.rank() == 0) torch::manual_seed(rt.seed);
        // PC-DARTS' ops see channels / K: the narrowest convolution decides the layout.
        const auto placement =
            makePlacement(rt, m_config.channels / m_config.effectivePartialChannels());
        const auto sets = prepareAll();
        requireSameOnEveryRank(m_group, "datasets", fingerprints(sets));
        for (const auto& d : sets)
            if (std::min(d.train.size(), d.val.size()) < m_config.shards)
                throw Error(d.summary.path + ": its search splits (" +
                            std::to_string(d.train.size()) + " and " +
                            std::to_string(d.val.size()) + " images) are smaller than the " +
                            std::to_string(m_config.shards) + " shards of a batch");
        m_result.dataset = sets.front().summary;
        for (std::size_t k = 1; k < sets.size(); ++k)
            m_result.moreDatasets.push_back(sets[k].summary);
        m_observer.onDataset(sets.front().summary);
        for (const auto& d : sets)
            for (const auto& w : d.warnings)
                report({Severity::Warning, "data.skipped", w, 0});
        if (!placement.layoutNote.empty())
            report({Severity::Info, "layout", placement.layoutNote, 0});
        if (m_config.stopOn == "collapse" && m_config.hessianIterations == 0)
            report({Severity::Info, "collapse.rules",
                    "--stop-on collapse watches skip connections and parameter-free mass; the "
                    "Hessian eigenvalue rule needs --hessian-iterations N",
                    0});

        auto spec = SupernetSpec::of(m_config, sets.front().summary.channels, sets.front().classes);
        for (std::size_t k = 1; k < sets.size(); ++k)
            spec.moreHeads.push_back(sets[k].classes);
        // Another rank builds its network once rank 0 has built its own, so that threads standing
        // in for processes (the tests) never draw from the shared generator at the same time.
        const auto rank0State = m_group.rank() > 0 ? m_group.get("state") : std::string();
        Supernet net(spec);
        // A resumed run continues from its own checkpoint, which already holds the transfer.
        if (!m_config.warmStart.checkpoint.empty() && m_resumeFrom.empty())
            report({Severity::Info, "warm_start",
                    applyWarmStart(m_config.warmStart, m_config, net).message, 0});
        net->place(placement.device, placement.channelsLast);

        const auto& wc = m_config.weights;
        torch::optim::SGD weightOpt(
            net->parameters(),
            torch::optim::SGDOptions(wc.lr).momentum(wc.momentum).weight_decay(wc.weightDecay));
        // Separate streams so the val order does not depend on the train split's size; further
        // datasets get streams of their own.
        std::vector<BatchSampler> trainSamplers, valSamplers;
        std::int64_t passSteps = 0;
        for (std::size_t k = 0; k < sets.size(); ++k) {
            const std::uint64_t offset = 1000003ULL * k;
            trainSamplers.emplace_back(sets[k].train.size(), m_config.batchSize,
                                       rt.seed * 2 + 1 + offset);
            valSamplers.emplace_back(sets[k].val.size(), m_config.batchSize,
                                     rt.seed * 2 + 2 + offset);
            passSteps += trainSamplers.back().batchesPerPass();
        }
        const int steps = m_config.stepsPerEpoch > 0 ? m_config.stepsPerEpoch : int(passSteps);

        const double alphaLr = m_config.effectiveAlphaLr(steps);
        if (alphaLr != m_config.alphaLr) {
            char text[160];
            std::snprintf(text, sizeof text,
                          "alpha learning rate %.3g: a budget of %g over %lld architecture steps",
                          alphaLr, m_config.alphaStepBudget,
                          static_cast<long long>(m_config.architectureSteps(steps)));
            report({Severity::Info, "alpha_lr", text, 0});
        }
        torch::optim::Adam alphaOpt(net->alphas(),
                                    torch::optim::AdamOptions(alphaLr)
                                        .betas({m_config.alphaBeta1, m_config.alphaBeta2})
                                        .weight_decay(m_config.alphaWeightDecay));
        LossScaler scaler;
        const auto precision = precisionOf(placement, scaler);
        auto variant = makeVariant(m_config, net, weightOpt, alphaOpt, m_group, precision);
        const auto weights = net->parameters();
        const auto forward = [&](const torch::Tensor& x) { return net->forward(x); };

        SearchState state{net, weightOpt, alphaOpt, trainSamplers, valSamplers, 0, {}};
        if (!m_resumeFrom.empty()) {
            restore(state);
            if (placement.channelsLast) convertToChannelsLast(*net);
            m_result.epochs = state.history;
        }
        if (m_group.size() > 1) {
            shareStartingState(state, rank0State);
            if (placement.channelsLast) convertToChannelsLast(*net);
        }
        const auto shardsOf = [&](const TensorSplit& split, const torch::Tensor& indices) {
            return stepShards(m_config, split, indices, placement, m_group);
        };

        std::vector<CollapseSignals> stopSignals; // --stop-on: this process's epochs
        for (int epoch = state.epoch + 1; epoch <= m_config.epochs; ++epoch) {
            const auto epochStart = Clock::now();
            const double lr = cosineLr(wc.lr, wc.lrMin, epoch - 1, m_config.epochs);
            variant->setBetaDecay(m_config.betaDecay * double(epoch - 1) / m_config.epochs);
            setLearningRate(weightOpt, lr);
            net->train();
            // Steps only: evaluation batches and the Hessian are each rank's own.
            if (m_config.syncBatchNorm) syncBatchNorms(*net, &m_group);
            std::size_t step = 0;
            auto m = runEpochSteps(epoch, steps, lr, m_control, m_observer, [&] {
                // Round-robin over datasets: both the weight and the alpha step of this step
                // use dataset k and its head.
                const auto k = step++ % sets.size();
                net->setActiveHead(int(k));
                const auto train = shardsOf(sets[k].train, trainSamplers[k].next());
                // Warm-up epochs train the weights alone (no val batch drawn, no alpha loss).
                torch::Tensor alphaLoss;
                if (epoch > m_config.alphaWarmupEpochs)
                    alphaLoss = variant->alphaStep(
                        train, shardsOf(sets[k].val, valSamplers[k].next()), lr);
                return StepResult{weightStep(forward, weightOpt, weights, train, wc.gradClip,
                                             m_group, precision),
                                  alphaLoss};
            }, m_group, placement.metricsEvery);
            syncBatchNorms(*net, nullptr);
            if (!m) break;
            // Several datasets: the mean of their val losses and accuracies.
            for (std::size_t k = 0; k < sets.size(); ++k) {
                net->setActiveHead(int(k));
                const auto val = evaluateShared(net, sets[k].val, placement);
                m->valLoss += val.loss / double(sets.size());
                m->valAcc += val.acc / double(sets.size());
            }
            net->setActiveHead(0);
            m->seconds = secondsSince(epochStart);
            m_result.epochs.push_back(*m);
            m_observer.onEpoch(*m);
            auto alphas = observeAlphas(net, epoch, hessian(net, sets.front(), placement, epoch));
            if (m_config.stopOn == "collapse") {
                stopSignals.push_back(alphas.signals);
                // From this process's second epoch on: the previous genotype is there to keep.
                if (const auto why = collapseStopReason(stopSignals, alphas.ops);
                    !why.empty() && stopSignals.size() >= 2) {
                    m_result.stopReason = "stopped at epoch " + std::to_string(epoch) + ": " + why +
                                          "; the genotype is epoch " + std::to_string(epoch - 1) +
                                          "'s";
                    report({Severity::Warning, kCollapseStopCode, m_result.stopReason, epoch});
                    break;
                }
            }
            publishAlphas(std::move(alphas));
            state.epoch = epoch;
            state.history = m_result.epochs;
            if (!m_config.checkpointDir.empty()) writeCheckpoint(state);
            if (m_group.any(m_control.stopRequested())) {
                m_control.requestStop();
                break;
            }
        }
        if (m_result.epochs.empty()) publishAlphas(observeAlphas(net, 0, {}));
        m_result.status = m_control.stopRequested() ? RunStatus::Cancelled : RunStatus::Done;
        // A finished search whose cell was picked by noise says so (small budgets).
        if (m_result.status == RunStatus::Done && !m_result.epochs.empty())
            if (const auto why =
                    undecidedReason(m_result.alphas.signals, int(m_result.alphas.ops.size()),
                                    int(m_result.genotype.normal.size()));
                !why.empty())
                report({Severity::Warning, "architecture.undecided", why, m_config.epochs});
    }

private:
    static std::string fingerprints(const std::vector<PreparedData>& sets)
    {
        std::string all;
        for (const auto& d : sets)
            all += d.summary.fingerprint + ";";
        return all;
    }

    // Rank 0's network, optimiser states, sampler positions and epoch, whichever way it got them
    // (initialised, warm-started, resumed), become every rank's: the ranks start equal.
    void shareStartingState(SearchState& state, const std::string& rank0State)
    {
        namespace fs = std::filesystem;
        const auto path = (fs::temp_directory_path() /
                           ("supernet-rank-state-" + std::to_string(::getpid()) + "-" +
                            std::to_string(m_group.rank()) + ".pt"))
                              .string();
        if (m_group.rank() == 0) {
            saveCheckpoint(path, state);
            std::ifstream in(path, std::ios::binary);
            m_group.set("state", std::string(std::istreambuf_iterator<char>(in), {}));
        } else {
            std::ofstream(path, std::ios::binary)
                .write(rank0State.data(), std::streamsize(rank0State.size()));
            loadCheckpoint(path, state);
        }
        fs::remove(path);
    }

    // Validation metrics over the whole split, in batches of mixed classes (mixedOrder). The
    // ranks take turns over the evaluation batches, so every batch (and its BatchNorm
    // statistics) is the one a single process would see.
    EvalMetrics evaluateShared(Supernet& net, const TensorSplit& split, const Placement& placement)
    {
        const auto mode = m_config.valBatchStats ? BatchNormMode::Batch : BatchNormMode::Running;
        const auto forward = [&](const torch::Tensor& x) { return net->forward(x); };
        const auto n = split.size();
        const auto order = mixedOrder(n, m_config.runtime.seed);
        if (m_group.size() == 1)
            return evaluate(*net, forward, split, placement, mode, kEvalBatch, order);
        std::vector<torch::Tensor> mine;
        for (std::int64_t start = std::int64_t(m_group.rank()) * kEvalBatch; start < n;
             start += std::int64_t(m_group.size()) * kEvalBatch)
            mine.push_back(order.slice(0, start, std::min<std::int64_t>(start + kEvalBatch, n)));
        const auto rows = mine.empty() ? torch::empty({0}, torch::kInt64) : torch::cat(mine);
        EvalMetrics part;
        if (rows.size(0) > 0)
            part = evaluate(*net, forward,
                            {split.x.index_select(0, rows), split.y.index_select(0, rows)},
                            placement, mode, kEvalBatch);
        const double count = double(rows.size(0));
        std::vector<torch::Tensor> sums{
            torch::tensor({part.loss * count, part.acc * count, count}, torch::kFloat64)};
        m_group.average(sums);
        const auto total = sums[0][2].item<double>();
        return {sums[0][0].item<double>() / total, sums[0][1].item<double>() / total};
    }

    void restore(SearchState& state)
    {
        restoreFirstUsable(
            m_resumeFrom,
            [&](const std::string& path) {
                loadCheckpoint(path, state);
                return state.epoch;
            },
            [&](const Issue& issue) { report(issue); });
    }

    // The search dataset, then those of a multi-dataset pretraining, all with one channel count.
    std::vector<PreparedData> prepareAll() const
    {
        std::vector<PreparedData> sets;
        sets.push_back(prepareData(m_config.data, m_config.runtime.seed));
        for (const auto& more : m_config.moreData) {
            sets.push_back(prepareData(more, m_config.runtime.seed));
            const auto& a = sets.front().summary;
            const auto& b = sets.back().summary;
            if (a.channels != b.channels)
                throw Error(more.path + ": has " + std::to_string(b.channels) +
                            " image channels but " + a.path + " has " + std::to_string(a.channels) +
                            "; jointly searched datasets need one count (--image-channels)");
        }
        return sets;
    }

    // One file per epoch. Which files to keep (the last and the best) is the run store's call:
    // it sees every run's checkpoints and deletes the ones it stops referencing.
    void writeCheckpoint(const SearchState& state)
    {
        m_observer.onCheckpoint(writeEpochCheckpoint(
            m_config.checkpointDir, state.history,
            [&](const std::string& path) { return saveCheckpoint(path, state); }));
    }

    // The dominant eigenvalue on one validation batch of the search dataset (the first of the
    // mixed order: all classes), and its cost; none when switched off.
    std::optional<std::pair<double, double>> hessian(Supernet& net, const PreparedData& data,
                                                     const Placement& placement, int epoch)
    {
        if (m_config.hessianIterations == 0 || data.val.size() == 0) return std::nullopt;
        const auto start = Clock::now();
        const auto rows = std::min<std::int64_t>(m_config.batchSize, data.val.size());
        const auto batch = gather(
            data.val, mixedOrder(data.val.size(), m_config.runtime.seed).narrow(0, 0, rows),
            placement);
        const auto e =
            dominantHessianEigenvalue(net, batch, m_config.hessianIterations,
                                      m_config.runtime.seed * 7919 + std::uint64_t(epoch));
        return std::pair{e.eigenvalue, secondsSince(start)};
    }

    AlphaSnapshot observeAlphas(Supernet& net, int epoch,
                                const std::optional<std::pair<double, double>>& hessian)
    {
        auto alphas = snapshot(net, epoch);
        if (hessian)
            std::tie(alphas.signals.hessianEigenvalue, alphas.signals.hessianSeconds) = *hessian;
        return alphas;
    }

    void publishAlphas(AlphaSnapshot alphas)
    {
        const int epoch = alphas.epoch;
        m_result.alphas = std::move(alphas);
        m_result.genotype = m_result.alphas.genotype;
        m_observer.onAlphas(m_result.alphas);
        const auto& s = m_result.alphas.signals;
        if (s.skipNormal >= kSkipWarnCount)
            report({Severity::Warning, "collapse.skip",
                    std::to_string(s.skipNormal) + " skip_connect edges in the normal cell",
                    epoch});
        if (s.paramFreeNormal > paramFreeWarnMass(m_result.alphas.ops))
            report({Severity::Warning, "collapse.param_free",
                    "parameter-free ops hold " + std::to_string(int(100 * s.paramFreeNormal)) +
                        "% of the normal cell's alpha mass",
                    epoch});
    }

    void report(const Issue& issue)
    {
        m_result.issues.push_back(issue);
        m_observer.onIssue(issue);
    }

    const SearchConfig& m_config;
    RunControl& m_control;
    RunObserver& m_observer;
    SearchResult& m_result;
    const std::vector<CheckpointInfo>& m_resumeFrom;
    RankGroup& m_group;
};

} // namespace

namespace {

SearchResult search(const SearchConfig& config, RunControl& control, RunObserver& observer,
                    const std::vector<CheckpointInfo>& resumeFrom)
{
    SearchResult result;
    result.config = config;
    const auto error = runGuarded([&] {
        config.validate();
        const auto& spec = config.runtime.group;
        if (!spec.active()) {
            Search(config, control, observer, result, resumeFrom, RankGroup::solo()).run();
            return;
        }
        if (config.shards % spec.worldSize != 0)
            throw Error("shards: " + std::to_string(config.shards) + " cannot be split among " +
                        std::to_string(spec.worldSize) + " processes (use a multiple)");
        auto local = config;
        local.runtime.device = rankDevice(config.runtime.device, spec);
        auto group = connectRankGroup(spec, local.runtime.device);
        requireSameOnEveryRank(*group, "launch command", spec.launchDigest);
        group->set("config", config.toJson());
        Search(local, control, observer, result, resumeFrom, *group).run();
    });
    if (error) {
        result.status = RunStatus::Failed;
        result.error = *error;
    }
    if (result.status == RunStatus::Failed)
        observer.onIssue({Severity::Error, "run.failed", result.error, int(result.epochs.size())});
    return result;
}

// runtime.localRanks ranks as threads: rank 0 on this thread records through `observer`, the
// others follow it over a loopback store, as processes started by --nproc would.
SearchResult searchOnThreads(const SearchConfig& config,
                             const std::vector<CheckpointInfo>& resumeFrom, RunControl& control,
                             RunObserver& observer)
{
    auto rank0 = config;
    rank0.runtime.localRanks = 1;
    // A new run gets a shard per rank at least; a resumed one keeps its recorded shards.
    if (resumeFrom.empty()) rank0.shards = std::max(config.shards, config.runtime.localRanks);
    try {
        rank0.validate(); // a config error must not leave the other ranks waiting
    } catch (const Error&) {
        return search(rank0, control, observer, resumeFrom);
    }
    auto& spec = rank0.runtime.group;
    spec.worldSize = config.runtime.localRanks;
    spec.masterPort = freeLoopbackPort();
    spec.launchDigest = "threads of " + std::to_string(::getpid());
    std::vector<std::unique_ptr<RunControl>> controls;
    std::vector<std::future<SearchResult>> others;
    for (int r = 1; r < spec.worldSize; ++r) {
        auto mine = spec;
        mine.rank = mine.localRank = r;
        controls.push_back(std::make_unique<RunControl>());
        others.push_back(
            std::async(std::launch::async, [mine, &rank0, &control = *controls.back()] {
                RunObserver silent;
                return runSearchRank(mine, rank0.runtime, control, silent);
            }));
    }
    auto result = search(rank0, control, observer, resumeFrom);
    for (std::size_t k = 0; k < others.size(); ++k) {
        const auto other = others[k].get();
        if (other.status == RunStatus::Failed && result.status != RunStatus::Failed) {
            result.status = RunStatus::Failed;
            result.error = "rank " + std::to_string(k + 1) + ": " + other.error;
            observer.onIssue(
                {Severity::Error, "run.failed", result.error, int(result.epochs.size())});
        }
    }
    return result;
}

} // namespace

SearchResult runSearch(const SearchConfig& config, RunControl& control, RunObserver& observer)
{
    if (config.runtime.localRanks > 1) return searchOnThreads(config, {}, control, observer);
    return search(config, control, observer, {});
}

SearchResult runSearchRank(const ProcessGroupSpec& spec, const RuntimeConfig& local,
                           RunControl& control, RunObserver& observer)
{
    SearchResult result;
    const auto error = runGuarded([&] {
        const auto device = rankDevice(local.device, spec);
        auto group = connectRankGroup(spec, device);
        requireSameOnEveryRank(*group, "launch command", spec.launchDigest);
        auto config = SearchConfig::fromJson(group->get("config"));
        config.runtime.threads = local.threads;
        config.runtime.device = device;
        config.runtime.group = spec;
        // Rank 0 writes the checkpoints and hands over the warm-started or resumed state.
        config.checkpointDir.clear();
        config.warmStart = {};
        result.config = config;
        Search(config, control, observer, result, {}, *group).run();
    });
    if (error) {
        result.status = RunStatus::Failed;
        result.error = *error;
    }
    return result;
}

SearchResult resumeSearch(const SearchConfig& config,
                          const std::vector<CheckpointInfo>& checkpoints, RunControl& control,
                          RunObserver& observer)
{
    // Stopped in its first epoch (the first checkpoint is written at its end): the epoch in
    // flight is all there is to lose, so the search starts again from the beginning.
    if (checkpoints.empty())
        observer.onIssue({Severity::Info, "resume",
                          "no checkpoint yet (stopped during epoch 1): started again (epoch 0)",
                          0});
    if (config.runtime.localRanks > 1)
        return searchOnThreads(config, checkpoints, control, observer);
    return search(config, control, observer, checkpoints);
}

} // namespace wb::darts
