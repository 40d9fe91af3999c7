#include "commands.h"
#include "genotype_arg.h"
#include "common_flags.h"
#include "store_flags.h"
#include "queue_flags.h"
#include "run_job.h"

#include "wb/common/error.h"
#include "wb/darts/search.h"

#include <iostream>
#include <memory>

namespace wb::cli {

void addTrainCommand(CLI::App& root, int& exitCode)
{
    struct Options {
        darts::TrainConfig config;
        CommonFlags common;
        StoreFlags store;
        QueueFlags queue;
        std::string genotype;
        bool auxiliary = false;
    };
    auto o = std::make_shared<Options>();
    auto& c = o->config;
    auto* cmd = root.add_subcommand("train", "Train a derived network from scratch and test it");
    o->common.add(*cmd, c.data, c.runtime, c.weights);
    o->store.add(*cmd);
    cmd->add_option("--genotype", o->genotype, "Genotype file (JSON or DARTS literal) or literal")
        ->required();
    cmd->add_option("--channels", c.channels, "Initial channels C")->capture_default_str();
    cmd->add_option("--layers", c.layers, "Cells in the network")->capture_default_str();
    cmd->add_option("--batch", c.batchSize, "Batch size")->capture_default_str();
    cmd->add_option("--epochs", c.epochs, "Training epochs")->capture_default_str();
    auto* aux = cmd->add_flag("--auxiliary", o->auxiliary,
                              "Add DARTS' auxiliary head after the cell at 2/3 depth, loss weight "
                              "0.4 (see --auxiliary-weight)");
    cmd->add_option("--auxiliary-weight", c.auxiliaryWeight,
                    "Loss weight of the auxiliary head; > 0 adds the head (DARTS: 0.4)")
        ->capture_default_str()
        ->excludes(aux);
    cmd->add_option("--drop-path", c.dropPath,
                    "Drop-path probability of the last epoch, ramped from 0 (DARTS: 0.2)")
        ->capture_default_str();
    cmd->add_option("--cutout", c.cutout,
                    "Side in pixels of the square cut out of each training image; 0 = off "
                    "(DARTS: 16 at 32x32)")
        ->capture_default_str();
    o->queue.add(*cmd);
    cmd->callback([o, &exitCode] {
        o->common.finish(o->config.data);
        auto& config = o->config;
        config.genotype = readGenotype(o->genotype);
        if (o->auxiliary) config.auxiliaryWeight = 0.4;
        config.validate();
        if (o->queue.queue) {
            jobs::QueuedJob job;
            job.kind = "train";
            job.train = config;
            exitCode =
                queueJob(o->store.path(), job, o->queue, config.runtime.device, o->common.json);
            return;
        }
        exitCode = runJob(
            o->common.json, config.epochs, [&](RunControl& control, darts::RunObserver& observer) {
                if (o->store.disabled)
                    return unrecorded(darts::runTrain(config, control, observer));
                const auto db = o->store.path();
                return jobs::recordedTrain(db, config, control, observer, announceRun(db));
            });
    });
}

} // namespace wb::cli
