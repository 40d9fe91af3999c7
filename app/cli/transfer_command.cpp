// `supernet transfer`: a search warm-started from the nearest (or a random, or a given) zoo
// supernet.

#include "commands.h"
#include "common_flags.h"
#include "parallel_flags.h"
#include "run_job.h"
#include "search_flags.h"
#include "distance_flags.h"
#include "queue_flags.h"
#include "store_flags.h"

#include "wb/jobs/recorded.h"

#include <memory>

namespace wb::cli {

void addTransferCommand(CLI::App& root, int& exitCode)
{
    struct Options {
        darts::SearchConfig config;
        CommonFlags common;
        StoreFlags store;
        DistanceFlags distance;
        QueueFlags queue;
        ParallelFlags parallel;
        std::string source = "auto";
        bool keepHead = false;
    };
    auto o = std::make_shared<Options>();
    auto& c = o->config;
    auto* cmd = root.add_subcommand(
        "transfer", "Search a target dataset warm-started from a zoo supernet (weights, alphas "
                    "and BN statistics; fresh head, optimisers and schedule)");
    o->common.add(*cmd, c.data, c.runtime, c.weights);
    o->store.add(*cmd, false);
    addSearchFlags(*cmd, c);
    cmd->add_option("--source", o->source,
                    "auto (nearest by OTDD), random (seeded ablation) or a zoo id")
        ->capture_default_str();
    cmd->add_flag("--keep-head", o->keepHead,
                  "Keep the source's classifier head when the class counts match");
    o->distance.add(*cmd);
    o->queue.add(*cmd);
    o->parallel.add(*cmd);
    cmd->callback([o, &exitCode] {
        auto& config = o->config;
        o->common.finish(config.data);
        o->parallel.finish(config);
        config.validate();
        const auto dbPath = o->store.path();
        if (o->queue.queue) {
            o->parallel.refuseFor("a queued job");
            jobs::QueuedJob job;
            job.kind = "transfer";
            job.search = config;
            job.source = o->source;
            job.keepHead = o->keepHead;
            job.distance = o->distance.settings;
            exitCode = queueJob(dbPath, job, o->queue, config.runtime.device, o->common.json);
            return;
        }
        // Rank 0 chooses the source and hands the warm-started state to the others.
        if (const auto code = o->parallel.runAsHelper(config.runtime)) {
            exitCode = *code;
            return;
        }
        exitCode = runJob(
            o->common.json, config.epochs, [&](RunControl& control, darts::RunObserver& observer) {
                const auto choice =
                    chooseSource(dbPath, o->source, config, o->distance, o->keepHead, control);
                // Started once the source is chosen (which may take longer than a rank waits).
                o->parallel.startLocalRanks();
                return jobs::recordedSearch(dbPath, config, control, observer, announceRun(dbPath),
                                            choice.record());
            });
        exitCode = std::max(exitCode, o->parallel.waitLocalRanks());
    });
}

} // namespace wb::cli
