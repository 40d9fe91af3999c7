#include "commands.h"
#include "common_flags.h"
#include "run_job.h"

#include "wb/darts/search.h"

#include <iostream>
#include <memory>

namespace wb::cli {

void addSearchCommand(CLI::App& root, int& exitCode)
{
    struct Options {
        darts::SearchConfig config;
        CommonFlags common;
        StoreFlags store;
    };
    auto o = std::make_shared<Options>();
    auto& c = o->config;
    auto* cmd = root.add_subcommand("search", "Run a DARTS architecture search on a dataset");
    o->common.add(*cmd, c.data, c.runtime, c.weights);
    o->store.add(*cmd);
    cmd->add_option("--channels", c.channels, "Initial channels C")->capture_default_str();
    cmd->add_option("--layers", c.layers, "Cells in the supernet")->capture_default_str();
    cmd->add_option("--nodes", c.nodes, "Intermediate nodes per cell")->capture_default_str();
    cmd->add_option("--primitives", c.primitives, "Op set (default: the 8 DARTS ops)")
        ->delimiter(',');
    cmd->add_option("--batch", c.batchSize, "Batch size")->capture_default_str();
    cmd->add_option("--epochs", c.epochs, "Search epochs")->capture_default_str();
    cmd->add_option("--steps-per-epoch", c.stepsPerEpoch, "0 = one pass over search-train")
        ->capture_default_str();
    cmd->add_option("--variant", c.variant, "Search variant (darts)")->capture_default_str();
    cmd->add_option("--order", c.order, "1 = first order, 2 = second order")
        ->capture_default_str();
    cmd->add_option("--alpha-lr", c.alphaLr, "Adam learning rate of alpha")
        ->capture_default_str();
    cmd->add_option("--alpha-weight-decay", c.alphaWeightDecay)->capture_default_str();
    cmd->add_flag("!--val-running-bn", c.valBatchStats,
                  "Validate with BN running statistics (the DARTS reference) instead of batch "
                  "statistics");
    cmd->callback([o, &exitCode] {
        auto& config = o->config;
        o->common.finish(config.data);
        config.validate();
        std::unique_ptr<RecordedRun> recorded;
        if (!o->store.disabled) {
            recorded = RecordedRun::start(o->store.path(), "search", config.toJson(),
                                          config.runtime.seed, config.data.path);
            config.checkpointDir = recorded->directory();
        }
        exitCode = runRecorded(recorded.get(), o->common.json, config.epochs,
                               [&](RunControl& control, darts::RunObserver& observer) {
                                   return darts::runSearch(config, control, observer);
                               });
    });
}

} // namespace wb::cli
