#include "wb/darts/search.h"

#include "darts/architect.h"
#include "darts/epoch_loop.h"
#include "darts/eval_network.h"
#include "darts/supernet.h"
#include "darts/tensor_data.h"
#include "common/guarded.h"
#include "wb/common/error.h"
#include "wb/common/threads.h"

#include <chrono>
#include <cmath>

namespace wb::darts {
namespace {

using Clock = std::chrono::steady_clock;

void train(const TrainConfig& config, RunControl& control, RunObserver& observer,
           TrainResult& result)
{
    const auto& rt = config.runtime;
    setComputeThreads(rt.threads);
    torch::manual_seed(rt.seed);
    const auto placement = makePlacement(rt, config.channels);
    auto data = prepareData(config.data, rt.seed);
    result.dataset = data.summary;
    observer.onDataset(data.summary);
    for (const auto& w : data.warnings) {
        Issue issue{Severity::Warning, "data.skipped", w, 0};
        result.issues.push_back(issue);
        observer.onIssue(issue);
    }
    if (!placement.layoutNote.empty()) {
        Issue issue{Severity::Info, "layout", placement.layoutNote, 0};
        result.issues.push_back(issue);
        observer.onIssue(issue);
    }

    EvalNetwork net(config.genotype, data.summary.channels, data.classes, config.channels,
                    config.layers);
    net->to(placement.device);
    if (placement.channelsLast) convertToChannelsLast(*net);
    for (const auto& p : net->parameters()) result.parameters += p.numel();

    const auto& wc = config.weights;
    torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(wc.lr)
                                                 .momentum(wc.momentum)
                                                 .weight_decay(wc.weightDecay));
    BatchSampler sampler(data.train.size(), config.batchSize, rt.seed * 2 + 1);
    const int steps = int(sampler.batchesPerPass());
    const auto forward = [&](const torch::Tensor& x) { return net->forward(x); };
    const auto weights = net->parameters();

    for (int epoch = 1; epoch <= config.epochs; ++epoch) {
        const auto epochStart = Clock::now();
        const double lr = cosineLr(wc.lr, wc.lrMin, epoch - 1, config.epochs);
        setLearningRate(opt, lr);
        net->train();
        auto m = runEpochSteps(epoch, steps, lr, control, observer, [&] {
            const auto batch = gather(data.train, sampler.next(), placement);
            return StepResult{weightStep(forward, opt, weights, batch, wc.gradClip), {}};
        });
        if (!m) break;
        const auto val = evaluate(*net, forward, data.val, placement);
        m->valLoss = val.loss;
        m->valAcc = val.acc;
        m->seconds = std::chrono::duration<double>(Clock::now() - epochStart).count();
        result.epochs.push_back(*m);
        observer.onEpoch(*m);
        if (control.stopRequested()) break;
    }
    // The test split is touched once, after training, whatever stopped it.
    const auto test = evaluate(*net, forward, data.test, placement);
    result.testLoss = test.loss;
    result.testAcc = test.acc;
    result.status = control.stopRequested() ? RunStatus::Cancelled : RunStatus::Done;
}

} // namespace

TrainResult runTrain(const TrainConfig& config, RunControl& control, RunObserver& observer)
{
    TrainResult result;
    result.config = config;
    const auto error = runGuarded([&] {
        config.validate();
        train(config, control, observer, result);
    });
    if (error) {
        result.status = RunStatus::Failed;
        result.error = *error;
    }
    if (result.status == RunStatus::Failed)
        observer.onIssue({Severity::Error, "run.failed", result.error, int(result.epochs.size())});
    return result;
}

} // namespace wb::darts
