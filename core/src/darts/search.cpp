#include "wb/darts/search.h"

#include "darts/architect.h"
#include "darts/checkpoint.h"
#include "darts/epoch_loop.h"
#include "darts/hessian.h"
#include "darts/supernet.h"
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
#include <optional>
#include <tuple>
#include <utility>

namespace wb::darts {
namespace {

using Clock = std::chrono::steady_clock;

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
           SearchResult& result, const std::vector<CheckpointInfo>& resumeFrom)
        : m_config(config), m_control(control), m_observer(observer), m_result(result),
          m_resumeFrom(resumeFrom)
    {
    }

    void run()
    {
        const auto& rt = m_config.runtime;
        setComputeThreads(rt.threads);
        torch::manual_seed(rt.seed);
        // PC-DARTS' ops see channels / K: the narrowest convolution decides the layout.
        const auto placement =
            makePlacement(rt, m_config.channels / m_config.effectivePartialChannels());
        const auto sets = prepareAll();
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
        torch::optim::Adam alphaOpt(net->alphas(),
                                    torch::optim::AdamOptions(m_config.alphaLr)
                                        .betas({m_config.alphaBeta1, m_config.alphaBeta2})
                                        .weight_decay(m_config.alphaWeightDecay));
        auto variant = makeVariant(m_config, net, weightOpt, alphaOpt);

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
        const auto weights = net->parameters();
        const auto forward = [&](const torch::Tensor& x) { return net->forward(x); };

        SearchState state{net, weightOpt, alphaOpt, trainSamplers, valSamplers, 0, {}};
        if (!m_resumeFrom.empty()) {
            restore(state);
            if (placement.channelsLast) convertToChannelsLast(*net);
            m_result.epochs = state.history;
        }

        std::vector<CollapseSignals> stopSignals; // --stop-on: this process's epochs
        for (int epoch = state.epoch + 1; epoch <= m_config.epochs; ++epoch) {
            const auto epochStart = Clock::now();
            const double lr = cosineLr(wc.lr, wc.lrMin, epoch - 1, m_config.epochs);
            setLearningRate(weightOpt, lr);
            net->train();
            std::size_t step = 0;
            auto m = runEpochSteps(epoch, steps, lr, m_control, m_observer, [&] {
                // Round-robin over datasets: both the weight and the alpha step of this step
                // use dataset k and its head.
                const auto k = step++ % sets.size();
                net->setActiveHead(int(k));
                const auto train = gather(sets[k].train, trainSamplers[k].next(), placement);
                const auto val = gather(sets[k].val, valSamplers[k].next(), placement);
                const auto alphaLoss = variant->alphaStep(train, val, lr);
                return StepResult{weightStep(forward, weightOpt, weights, train, wc.gradClip),
                                  alphaLoss};
            });
            if (!m) break;
            // Several datasets: the mean of their val losses and accuracies.
            for (std::size_t k = 0; k < sets.size(); ++k) {
                net->setActiveHead(int(k));
                const auto val = evaluate(*net, forward, sets[k].val, placement,
                                          m_config.valBatchStats ? BatchNormMode::Batch
                                                                 : BatchNormMode::Running);
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
            if (m_control.stopRequested()) break;
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

    // The dominant eigenvalue on the first validation batch of the search dataset, and its cost;
    // none when switched off.
    std::optional<std::pair<double, double>> hessian(Supernet& net, const PreparedData& data,
                                                     const Placement& placement, int epoch)
    {
        if (m_config.hessianIterations == 0 || data.val.size() == 0) return std::nullopt;
        const auto start = Clock::now();
        const auto rows = std::min<std::int64_t>(m_config.batchSize, data.val.size());
        const auto batch = gather(data.val, torch::arange(rows), placement);
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
        Search(config, control, observer, result, resumeFrom).run();
    });
    if (error) {
        result.status = RunStatus::Failed;
        result.error = *error;
    }
    if (result.status == RunStatus::Failed)
        observer.onIssue({Severity::Error, "run.failed", result.error, int(result.epochs.size())});
    return result;
}

} // namespace

SearchResult runSearch(const SearchConfig& config, RunControl& control, RunObserver& observer)
{
    return search(config, control, observer, {});
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
    return search(config, control, observer, checkpoints);
}

} // namespace wb::darts
