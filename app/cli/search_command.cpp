#include "commands.h"
#include "common_flags.h"
#include "parallel_flags.h"
#include "search_flags.h"
#include "store_flags.h"
#include "queue_flags.h"
#include "run_job.h"

#include "wb/darts/search.h"

#include <memory>

namespace wb::cli {

void addSearchCommand(CLI::App& root, int& exitCode)
{
    struct Options {
        darts::SearchConfig config;
        CommonFlags common;
        StoreFlags store;
        QueueFlags queue;
        ParallelFlags parallel;
    };
    auto o = std::make_shared<Options>();
    auto& c = o->config;
    auto* cmd = root.add_subcommand("search", "Run a DARTS architecture search on a dataset");
    o->common.add(*cmd, c.data, c.runtime, c.weights);
    o->store.add(*cmd);
    addSearchFlags(*cmd, c);
    o->queue.add(*cmd);
    o->parallel.add(*cmd);
    cmd->callback([o, &exitCode] {
        auto& config = o->config;
        o->common.finish(config.data);
        o->parallel.finish(config);
        config.validate();
        if (o->queue.queue) {
            o->parallel.refuseFor("a queued job");
            jobs::QueuedJob job;
            job.kind = "search";
            job.search = config;
            exitCode =
                queueJob(o->store.path(), job, o->queue, config.runtime.device, o->common.json);
            return;
        }
        if (const auto code = o->parallel.runAsHelper(config.runtime)) {
            exitCode = *code;
            return;
        }
        o->parallel.startLocalRanks();
        exitCode = runJob(
            o->common.json, config.epochs, [&](RunControl& control, darts::RunObserver& observer) {
                if (o->store.disabled)
                    return unrecorded(darts::runSearch(config, control, observer));
                const auto db = o->store.path();
                return jobs::recordedSearch(db, config, control, observer, announceRun(db));
            });
        exitCode = std::max(exitCode, o->parallel.waitLocalRanks());
    });
}

} // namespace wb::cli
