#include "commands.h"
#include "parallel_flags.h"
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
        std::string device; // empty = as recorded
        bool json = false;
        ParallelFlags parallel;
    };
    auto o = std::make_shared<Options>();
    auto* cmd = runs.add_subcommand("resume", "Continue an interrupted, cancelled or failed "
                                              "search or training from its last good checkpoint");
    cmd->add_option("id", o->id, "Run id")->required();
    o->store.add(*cmd, false);
    cmd->add_option("--threads", o->threads, "Intra-op CPU threads (default: as recorded)");
    cmd->add_option("--device", o->device,
                    "cpu, cuda or cuda:N (default: as recorded; checkpoints move between devices)");
    cmd->add_flag("--json", o->json, "Print one JSON object on stdout");
    o->parallel.add(*cmd, true);
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
            o->parallel.refuseFor("a training");
            resume.localiseTrain = [device = o->device](darts::TrainConfig& config) {
                if (!device.empty()) config.runtime.device = device;
            };
            const int epochs = darts::TrainConfig::fromJson(run.configJson).epochs;
            exitCode = runJob(o->json, epochs, [&](RunControl& control, auto& observer) {
                announce();
                return jobs::resumeRecordedTrain(dbPath, o->id, resume, control, observer);
            });
            return;
        }
        // Other kinds are refused by the resume itself, with the reason.
        auto recorded = run.kind == "search" ? darts::SearchConfig::fromJson(run.configJson)
                                             : darts::SearchConfig{};
        if (o->threads >= 0) recorded.runtime.threads = o->threads;
        if (!o->device.empty()) recorded.runtime.device = o->device;
        if (run.kind == "search") recorded.validate(); // a mistyped --device is a usage error
        // A run searched in shards resumes in one process, or in processes that divide them.
        o->parallel.finish(recorded);
        if (const auto code = o->parallel.runAsHelper(recorded.runtime)) {
            exitCode = *code;
            return;
        }
        o->parallel.startLocalRanks();
        resume.localise = [runtime = recorded.runtime](darts::SearchConfig& config) {
            config.runtime.group = runtime.group;
            config.runtime.threads = runtime.threads;
            config.runtime.device = runtime.device;
        };
        exitCode = runJob(o->json, recorded.epochs, [&](RunControl& control, auto& observer) {
            announce();
            return jobs::resumeRecordedSearch(dbPath, o->id, resume, control, observer);
        });
        exitCode = std::max(exitCode, o->parallel.waitLocalRanks());
    });
}

} // namespace wb::cli
