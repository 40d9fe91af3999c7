#include "commands.h"
#include "run_job.h"

#include "wb/common/error.h"
#include "wb/darts/search.h"
#include "wb/store/run_store.h"

#include <memory>

namespace wb::cli {

void addResumeCommand(CLI::App& runs, int& exitCode)
{
    struct Options {
        StoreFlags store;
        std::int64_t id = 0;
        int threads = -1;
        bool json = false;
    };
    auto o = std::make_shared<Options>();
    auto* cmd = runs.add_subcommand("resume", "Continue an interrupted, cancelled or failed "
                                              "search from its last good checkpoint");
    cmd->add_option("id", o->id, "Run id")->required();
    o->store.add(*cmd, false);
    cmd->add_option("--threads", o->threads, "Intra-op CPU threads (default: as recorded)");
    cmd->add_flag("--json", o->json, "Print one JSON object on stdout");
    cmd->callback([o, &exitCode] {
        const auto dbPath = o->store.path();
        std::vector<darts::CheckpointInfo> checkpoints;
        darts::SearchConfig config;
        {
            store::RunStore::Options existing;
            existing.create = false; // a mistyped --db must not leave an empty workspace behind
            auto db = store::RunStore::open(dbPath, existing);
            const auto run = db.run(o->id);
            if (run.kind != "search")
                throw Error("run " + std::to_string(o->id) + " is a " + run.kind +
                            " run: only searches can be resumed");
            config = darts::SearchConfig::fromJson(run.configJson);
            checkpoints = store::resumeCheckpoints(db, o->id);
        }
        if (o->threads >= 0) config.runtime.threads = o->threads;
        auto recorded = reopenRecordedRun(dbPath, o->id);
        config.checkpointDir = recorded->directory();
        exitCode = runRecorded(recorded.get(), o->json, config.epochs,
                               [&](RunControl& control, darts::RunObserver& observer) {
                                   return darts::resumeSearch(config, checkpoints, control,
                                                              observer);
                               });
    });
}

} // namespace wb::cli
