#include "wb/darts/search.h"

#include "darts/architect.h"
#include "darts/checkpoint.h"
#include "darts/epoch_loop.h"
#include "darts/supernet.h"
#include "darts/tensor_data.h"
#include "common/guarded.h"
#include "wb/common/error.h"
#include "wb/common/threads.h"
#include "wb/darts/collapse.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <algorithm>

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

AlphaSnapshot snapshot(Supernet& net, int epoch)
{
    AlphaSnapshot s;
    s.epoch = epoch;
    s.ops = net->spec().primitives;
    s.edges = int(net->alphaNormal().size(0));
    s.normal = toVector(torch::softmax(net->alphaNormal(), -1));
    s.reduce = toVector(torch::softmax(net->alphaReduce(), -1));
    s.genotype = deriveGenotype(s.normal, s.reduce, net->spec().nodes, s.ops);
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
        const auto placement = makePlacement(rt);
        auto data = prepareData(m_config.data, rt.seed);
        m_result.dataset = data.summary;
        m_observer.onDataset(data.summary);
        for (const auto& w : data.warnings) report({Severity::Warning, "data.skipped", w, 0});

        SupernetSpec spec;
        spec.inChannels = data.summary.channels;
        spec.classes = data.classes;
        spec.channels = m_config.channels;
        spec.layers = m_config.layers;
        spec.nodes = m_config.nodes;
        spec.primitives = m_config.effectivePrimitives();
        Supernet net(spec);
        net->place(placement.device, placement.channelsLast);

        const auto& wc = m_config.weights;
        torch::optim::SGD weightOpt(
            net->parameters(),
            torch::optim::SGDOptions(wc.lr).momentum(wc.momentum).weight_decay(wc.weightDecay));
        torch::optim::Adam alphaOpt(
            net->alphas(), torch::optim::AdamOptions(m_config.alphaLr)
                               .betas({m_config.alphaBeta1, m_config.alphaBeta2})
                               .weight_decay(m_config.alphaWeightDecay));
        auto variant = makeVariant(m_config, net, weightOpt, alphaOpt);

        // Separate streams so the val order does not depend on the train split's size.
        BatchSampler trainSampler(data.train.size(), m_config.batchSize, rt.seed * 2 + 1);
        BatchSampler valSampler(data.val.size(), m_config.batchSize, rt.seed * 2 + 2);
        const int steps = m_config.stepsPerEpoch > 0 ? m_config.stepsPerEpoch
                                                     : int(trainSampler.batchesPerPass());
        const auto weights = net->parameters();
        const auto forward = [&](const torch::Tensor& x) { return net->forward(x); };

        SearchState state{net, weightOpt, alphaOpt, trainSampler, valSampler, 0, {}};
        if (!m_resumeFrom.empty()) {
            restore(state);
            if (placement.channelsLast) convertToChannelsLast(*net);
            m_result.epochs = state.history;
        }

        for (int epoch = state.epoch + 1; epoch <= m_config.epochs; ++epoch) {
            const auto epochStart = Clock::now();
            const double lr = cosineLr(wc.lr, wc.lrMin, epoch - 1, m_config.epochs);
            setLearningRate(weightOpt, lr);
            net->train();
            auto m = runEpochSteps(epoch, steps, lr, m_control, m_observer, [&] {
                const auto train = gather(data.train, trainSampler.next(), placement);
                const auto val = gather(data.val, valSampler.next(), placement);
                const auto alphaLoss = variant->alphaStep(train, val, lr);
                return StepResult{weightStep(forward, weightOpt, weights, train, wc.gradClip),
                                  alphaLoss};
            });
            if (!m) break;
            const auto val = evaluate(*net, forward, data.val, placement,
                                      m_config.valBatchStats ? BatchNormMode::Batch
                                                             : BatchNormMode::Running);
            m->valLoss = val.loss;
            m->valAcc = val.acc;
            m->seconds = secondsSince(epochStart);
            m_result.epochs.push_back(*m);
            m_observer.onEpoch(*m);
            publishAlphas(net, epoch);
            state.epoch = epoch;
            state.history = m_result.epochs;
            if (!m_config.checkpointDir.empty()) writeCheckpoint(state);
            if (m_control.stopRequested()) break;
        }
        if (m_result.epochs.empty()) publishAlphas(net, 0);
        m_result.status = m_control.stopRequested() ? RunStatus::Cancelled : RunStatus::Done;
    }

private:
    // Tries the given checkpoints newest first; a missing, corrupt or unreadable one is reported
    // and the next is tried.
    void restore(SearchState& state)
    {
        std::string tried;
        for (const auto& c : m_resumeFrom) {
            std::string problem;
            std::error_code ec;
            if (!std::filesystem::is_regular_file(c.path, ec))
                problem = c.path + ": checkpoint file is missing";
            else if (!c.sha256.empty() && fileSha256(c.path) != c.sha256)
                problem = c.path + ": checksum mismatch (the file is corrupt or truncated)";
            else if (const auto err = runGuarded([&] { loadCheckpoint(c.path, state); }))
                problem = *err;
            if (problem.empty()) {
                report({Severity::Info, "resume", "resumed from " + c.path + " (epoch " +
                                                      std::to_string(state.epoch) + ")",
                        state.epoch});
                return;
            }
            report({Severity::Warning, "checkpoint.bad", problem + "; trying an older one",
                    c.epoch});
            tried += (tried.empty() ? "" : ", ") + c.path;
        }
        throw Error("cannot resume: no usable checkpoint (tried " + tried + ")");
    }

    // One file per epoch. Which files to keep (the last and the best) is the run store's call:
    // it sees every run's checkpoints and deletes the ones it stops referencing.
    void writeCheckpoint(const SearchState& state)
    {
        char name[32];
        std::snprintf(name, sizeof name, "epoch-%04d.pt", state.epoch);
        CheckpointInfo info;
        info.epoch = state.epoch;
        info.path = (std::filesystem::path(m_config.checkpointDir) / name).string();
        info.valAcc = state.history.back().valAcc;
        const auto start = Clock::now();
        info.sha256 = saveCheckpoint(info.path, state);
        info.seconds = secondsSince(start);
        info.bytes = std::int64_t(std::filesystem::file_size(info.path));
        info.best = std::all_of(state.history.begin(), state.history.end() - 1,
                                [&](const EpochMetrics& e) { return e.valAcc < info.valAcc; });
        m_observer.onCheckpoint(info);
    }

    void publishAlphas(Supernet& net, int epoch)
    {
        m_result.alphas = snapshot(net, epoch);
        m_result.genotype = m_result.alphas.genotype;
        m_observer.onAlphas(m_result.alphas);
        const auto& s = m_result.alphas.signals;
        if (s.skipNormal >= kSkipWarnCount)
            report({Severity::Warning, "collapse.skip",
                    std::to_string(s.skipNormal) + " skip_connect edges in the normal cell",
                    epoch});
        if (s.paramFreeNormal > kParamFreeWarnMass)
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
    if (checkpoints.empty()) {
        SearchResult result;
        result.config = config;
        result.error = "cannot resume: the run has no checkpoint";
        observer.onIssue({Severity::Error, "run.failed", result.error, 0});
        return result;
    }
    return search(config, control, observer, checkpoints);
}

} // namespace wb::darts
