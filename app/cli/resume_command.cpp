#include "commands.h"
#include "store_flags.h"
#include "run_job.h"

#include "wb/darts/search_config.h"
#include "wb/jobs/resume.h"
#include "wb/store/run_store.h"
#include "wb/store/workspace_location.h"

#include <iostream>

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
                                              "search or training from its last good checkpoint");
    cmd->add_option("id", o->id, "Run id")->required();
    o->store.add(*cmd, false);
    cmd->add_option("--threads", o->threads, "Intra-op CPU threads (default: as recorded)");
    cmd->add_flag("--json", o->json, "Print one JSON object on stdout");
    cmd->callback([o, &exitCode] {
        const auto dbPath = o->store.path();
        const auto run = store::RunStore::openExisting(dbPath).run(o->id);
        const auto announce = [&] {
            std::cerr << "resuming run " << o->id << " (" << store::redactedWorkspace(dbPath) << ")"
                      << std::endl;
        };
        jobs::ResumeOptions resume;
        resume.threads = o->threads;
        if (run.kind == "train") {
            const int epochs = darts::TrainConfig::fromJson(run.configJson).epochs;
            exitCode = runJob(o->json, epochs, [&](RunControl& control, auto& observer) {
                announce();
                return jobs::resumeRecordedTrain(dbPath, o->id, resume, control, observer);
            });
            return;
        }
        // Other kinds are refused by the resume itself, with the reason.
        const int epochs =
            run.kind == "search" ? darts::SearchConfig::fromJson(run.configJson).epochs : 0;
        exitCode = runJob(o->json, epochs, [&](RunControl& control, auto& observer) {
            announce();
            return jobs::resumeRecordedSearch(dbPath, o->id, resume, control, observer);
        });
    });
}

} // namespace wb::cli
