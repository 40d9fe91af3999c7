#pragma once

// Builds a small workspace database through RunStore for GUI and session tests: a finished
// search with steps, epochs and alpha snapshots, a failed run and a second finished one.
// Header-only; needs wb_store.

#include "wb/darts/search_config.h"
#include "wb/store/run_store.h"

#include <cstdint>
#include <string>
#include <vector>

namespace wb::test {

inline const std::vector<std::string>& demoOps()
{
    static const std::vector<std::string> ops = {"none",         "max_pool_3x3", "avg_pool_3x3",
                                                 "skip_connect", "sep_conv_3x3", "sep_conv_5x5",
                                                 "dil_conv_3x3", "dil_conv_5x5"};
    return ops;
}

// Two intermediate nodes: 5 edges, 4 chosen.
inline darts::Genotype demoGenotype()
{
    darts::Genotype g;
    g.normal = {{"sep_conv_3x3", 0}, {"skip_connect", 1}, {"dil_conv_3x3", 2}, {"sep_conv_5x5", 0}};
    g.normalConcat = {2, 3};
    g.reduce = {{"max_pool_3x3", 0}, {"max_pool_3x3", 1}, {"avg_pool_3x3", 2}, {"skip_connect", 1}};
    g.reduceConcat = {2, 3};
    return g;
}

inline darts::AlphaSnapshot demoAlphas(int epoch)
{
    darts::AlphaSnapshot a;
    a.epoch = epoch;
    a.edges = 5;
    a.ops = demoOps();
    const int ops = int(a.ops.size());
    for (int e = 0; e < a.edges; ++e)
        for (int o = 0; o < ops; ++o) {
            // Rows sum to 1; the favourite op moves with the edge and sharpens with the epoch.
            const float favourite = o == (e + epoch) % ops ? 0.3f + 0.1f * float(epoch) : 0.0f;
            const float rest = (1.0f - (0.3f + 0.1f * float(epoch))) / float(ops);
            a.normal.push_back(rest + favourite);
            a.reduce.push_back(o == 1 ? rest + (0.3f + 0.1f * float(epoch)) : rest);
        }
    a.genotype = demoGenotype();
    return a;
}

struct DemoWorkspace {
    std::int64_t finished = 0; // 3 epochs x 4 steps, alphas per epoch, done
    std::int64_t failed = 0;   // 1 epoch, failed with an error
    std::int64_t second = 0;   // 2 epochs, done, higher accuracy
};

inline std::int64_t addDemoRun(store::RunStore& store, const std::string& dataset, int epochs,
                               int stepsPerEpoch, double accBase, wb::RunStatus status,
                               const std::string& error = {})
{
    store::NewRun run;
    run.kind = "search";
    run.configJson = darts::SearchConfig{}.toJson();
    run.seed = 7;
    run.datasetPath = dataset;
    run.appVersion = "test";
    run.libraryVersions = "none";
    const std::int64_t id = store.createRun(run);
    for (int e = 1; e <= epochs; ++e) {
        std::vector<darts::StepMetrics> steps;
        for (int s = 1; s <= stepsPerEpoch; ++s) {
            darts::StepMetrics m;
            m.epoch = e;
            m.step = s;
            m.stepsPerEpoch = stepsPerEpoch;
            m.trainLoss = 2.0 / (e + 0.25 * s);
            m.trainAcc = accBase + 0.05 * e + 0.01 * s;
            m.lr = 0.025;
            m.seconds = 0.5;
            steps.push_back(m);
        }
        store.recordSteps(id, steps);
        darts::EpochMetrics m;
        m.epoch = e;
        m.trainLoss = 2.0 / e;
        m.trainAcc = accBase + 0.05 * e;
        m.valLoss = 2.2 / e;
        m.valAcc = accBase + 0.04 * e;
        m.lr = 0.025;
        m.seconds = 2.0;
        store.recordEpoch(id, m);
        store.recordAlphas(id, demoAlphas(e));
    }
    store.finishRun(id, status, error);
    return id;
}

inline DemoWorkspace writeDemoWorkspace(const std::string& path)
{
    store::RunStore store = store::RunStore::open(path);
    DemoWorkspace w;
    w.finished = addDemoRun(store, "/data/shapes/", 3, 4, 0.3, wb::RunStatus::Done);
    w.failed = addDemoRun(store, "/data/broken", 1, 2, 0.1, wb::RunStatus::Failed,
                          "train-images-idx3-ubyte: truncated");
    w.second = addDemoRun(store, "/data/other", 2, 3, 0.5, wb::RunStatus::Done);
    return w;
}

} // namespace wb::test
