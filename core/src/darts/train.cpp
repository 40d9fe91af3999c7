#include "wb/darts/search.h"

#include "darts/architect.h"
#include "darts/checkpoint.h"
#include "darts/epoch_loop.h"
#include "darts/eval_network.h"
#include "darts/supernet.h"
#include "darts/tensor_data.h"
#include "darts/train_augment.h"
#include "common/guarded.h"
#include "wb/common/error.h"
#include "wb/common/threads.h"

#include <chrono>
#include <cmath>

namespace wb::darts {
namespace {

using Clock = std::chrono::steady_clock;

// One SGD step on the main loss plus the weighted auxiliary loss (DARTS' train.py); reports the
// main loss and accuracy, comparable with the validation figures.
StepOutcome trainStep(EvalNetwork& net, torch::optim::SGD& opt,
                      const std::vector<torch::Tensor>& weights, const Batch& batch,
                      const TrainConfig& config, const MixedPrecision& precision)
{
    opt.zero_grad();
    EvalOutput out;
    {
        Autocast amp(precision);
        out = net->forwardAll(batch.x);
    }
    const auto logits = out.logits.to(torch::kFloat32);
    const auto main = torch::nn::functional::cross_entropy(logits, batch.y);
    auto loss = main;
    if (out.auxiliary.defined())
        loss = loss + config.auxiliaryWeight * torch::nn::functional::cross_entropy(
                                                   out.auxiliary.to(torch::kFloat32), batch.y);
    precision.scaled(loss).backward({}, false, false, weights);
    if (precision.unscaleGradsOf(weights)) {
        clipGradNorm(weights, config.weights.gradClip);
        opt.step();
    }
    const auto acc = logits.argmax(1).eq(batch.y).to(torch::kFloat64).mean();
    return {main.detach(), acc};
}

void train(const TrainConfig& config, const std::vector<CheckpointInfo>& resumeFrom,
           RunControl& control, RunObserver& observer, TrainResult& result)
{
    const auto& rt = config.runtime;
    setComputeThreads(rt.threads);
    torch::manual_seed(rt.seed);
    const auto placement = makePlacement(rt, config.channels);
    auto data = prepareData(config.data, rt.seed);
    result.dataset = data.summary;
    observer.onDataset(data.summary);
    const auto report = [&](const Issue& issue) {
        result.issues.push_back(issue);
        observer.onIssue(issue);
    };
    for (const auto& w : data.warnings)
        report({Severity::Warning, "data.skipped", w, 0});
    if (!placement.layoutNote.empty()) report({Severity::Info, "layout", placement.layoutNote, 0});

    EvalNetwork net(config.genotype, data.summary.channels, data.classes, config.channels,
                    config.layers, config.auxiliaryWeight > 0);
    net->to(placement.device);
    if (placement.channelsLast) convertToChannelsLast(*net);
    for (const auto& p : net->exportedTensors())
        if (p.second.requires_grad()) result.parameters += p.second.numel();

    const auto& wc = config.weights;
    torch::optim::SGD opt(
        net->parameters(),
        torch::optim::SGDOptions(wc.lr).momentum(wc.momentum).weight_decay(wc.weightDecay));
    BatchSampler sampler(data.train.size(), config.batchSize, rt.seed * 2 + 1);
    const int steps = int(sampler.batchesPerPass());
    const auto forward = [&](const torch::Tensor& x) { return net->forward(x); };
    const auto weights = net->parameters();
    LossScaler scaler;
    const auto precision = precisionOf(placement, scaler);

    TrainState state{net, opt, sampler, 0, {}, data.stats};
    if (!resumeFrom.empty()) {
        restoreFirstUsable(
            resumeFrom,
            [&](const std::string& path) {
                loadTrainCheckpoint(path, state);
                return state.epoch;
            },
            report);
        result.epochs = state.history;
    }
    for (int epoch = state.epoch + 1; epoch <= config.epochs; ++epoch) {
        const auto epochStart = Clock::now();
        const double lr = cosineLr(wc.lr, wc.lrMin, epoch - 1, config.epochs);
        setLearningRate(opt, lr);
        net->setDropPath(config.dropPath * (epoch - 1) / config.epochs);
        net->train();
        auto m = runEpochSteps(epoch, steps, lr, control, observer, [&] {
            auto batch = gather(data.train, sampler.next(), placement);
            if (config.cutout > 0) batch.x = cutout(batch.x, config.cutout);
            return StepResult{trainStep(net, opt, weights, batch, config, precision), {}};
        }, RankGroup::solo(), placement.metricsEvery);
        if (!m) break;
        const auto val = evaluate(*net, forward, data.val, placement);
        m->valLoss = val.loss;
        m->valAcc = val.acc;
        m->seconds = std::chrono::duration<double>(Clock::now() - epochStart).count();
        result.epochs.push_back(*m);
        observer.onEpoch(*m);
        state.epoch = epoch;
        state.history = result.epochs;
        if (!config.checkpointDir.empty())
            observer.onCheckpoint(writeEpochCheckpoint(
                config.checkpointDir, state.history,
                [&](const std::string& path) { return saveTrainCheckpoint(path, state); }));
        if (control.stopRequested()) break;
    }
    if (control.stopRequested()) {
        // A stopped training resumes later; its test accuracy would be that of a half-trained
        // network, so the test split stays untouched.
        result.status = RunStatus::Cancelled;
        return;
    }
    // The test split is touched once, after the last epoch.
    const auto test = evaluate(*net, forward, data.test, placement);
    result.testLoss = test.loss;
    result.testAcc = test.acc;
    observer.onTest({test.loss, test.acc, result.parameters});
    result.status = RunStatus::Done;
}

TrainResult guardedTrain(const TrainConfig& config, const std::vector<CheckpointInfo>& resumeFrom,
                         RunControl& control, RunObserver& observer)
{
    TrainResult result;
    result.config = config;
    const auto error = runGuarded([&] {
        config.validate();
        train(config, resumeFrom, control, observer, result);
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

TrainResult runTrain(const TrainConfig& config, RunControl& control, RunObserver& observer)
{
    return guardedTrain(config, {}, control, observer);
}

TrainResult resumeTrain(const TrainConfig& config, const std::vector<CheckpointInfo>& checkpoints,
                        RunControl& control, RunObserver& observer)
{
    if (checkpoints.empty())
        observer.onIssue({Severity::Info, "resume",
                          "no checkpoint yet (stopped during epoch 1): started again (epoch 0)",
                          0});
    return guardedTrain(config, checkpoints, control, observer);
}

} // namespace wb::darts
