#include "commands.h"
#include "common_flags.h"
#include "interrupt.h"
#include "progress_printer.h"
#include "result_json.h"

#include "wb/darts/search.h"

#include <iostream>
#include <memory>

namespace wb::cli {

void addSearchCommand(CLI::App& root, int& exitCode)
{
    struct Options {
        darts::SearchConfig config;
        CommonFlags common;
    };
    auto o = std::make_shared<Options>();
    auto& c = o->config;
    auto* cmd = root.add_subcommand("search", "Run a DARTS architecture search on a dataset");
    o->common.add(*cmd, c.data, c.runtime, c.weights);
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
    cmd->callback([o, &exitCode] {
        o->common.finish(o->config.data);
        RunControl control;
        InterruptGuard guard(control);
        ProgressPrinter progress(o->config.epochs);
        const auto result = darts::runSearch(o->config, control, progress);
        if (o->common.json)
            std::cout << toJson(result).dump(2) << std::endl;
        else
            std::cout << summary(result);
        exitCode = cli::exitCode(result.status);
    });
}

} // namespace wb::cli
