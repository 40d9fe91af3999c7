// `supernet experiment`: paired scratch / warm-start searches over targets and seeds, each arm's
// genotype retrained from scratch, grouped as one experiment in the store and resumable (the
// experiment itself is the core's jobs::runExperiment).

#include "commands.h"
#include "common_flags.h"
#include "distance_flags.h"
#include "interrupt.h"
#include "progress_printer.h"
#include "queue_flags.h"
#include "search_flags.h"
#include "store_flags.h"

#include "wb/common/error.h"
#include "wb/jobs/distance_study.h"
#include "wb/jobs/experiment.h"
#include "wb/jobs/queue.h"
#include "wb/jobs/zoo_entry.h"
#include "wb/store/json_shapes.h"
#include "wb/store/run_store.h"
#include "wb/store/workspace_location.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <memory>

using nlohmann::json;

namespace wb::cli {
namespace {

// Progress of an experiment on stderr: a header per cell, each job's progress bar, rankings.
class ExperimentPrinter : public jobs::ExperimentObserver {
public:
    void onCellStarted(const store::ExperimentCell& cell) override
    {
        std::cerr << "== " << jobs::folderName(cell.target) << " seed " << cell.seed << " arm "
                  << cell.arm << std::endl;
    }
    void onCellChanged(const store::ExperimentCell& cell) override
    {
        if (cell.state == store::CellState::Failed)
            std::cerr << "arm failed: " << cell.error << std::endl;
    }
    void onSourceChosen(const transfer::SourceChoice& choice, const std::string& note) override
    {
        printRanking(choice, note);
    }
    darts::RunObserver& jobObserver(const std::string&, int epochs) override
    {
        m_progress = std::make_unique<ProgressPrinter>(epochs);
        return *m_progress;
    }
    void onStoreError(const std::string& message) override
    {
        std::cerr << "warning: the run store could not record everything: " << message << std::endl;
    }

private:
    std::unique_ptr<ProgressPrinter> m_progress;
};

void report(const std::string& dbPath, std::int64_t id, bool asJson, double seconds,
            const jobs::ExperimentOutcome& outcome)
{
    auto db = store::RunStore::open(dbPath);
    const auto experiment = db.experiment(id);
    const auto rows = jobs::writeExperimentReport(db, id);
    for (const auto& c : outcome.failed)
        std::cerr << "failed: " << jobs::folderName(c.target) << " seed " << c.seed << " arm "
                  << c.arm << ": " << c.error << std::endl;
    if (asJson) {
        auto cells = json::array(), failed = json::array();
        for (const auto& c : experiment.cells)
            cells.push_back(store::cellJson(c));
        for (const auto& c : outcome.failed)
            failed.push_back(store::cellJson(c));
        std::cout << json{{"schema_version", store::kJsonSchemaVersion},
                          {"experiment_id", id},
                          {"status", experiment.status},
                          {"out", experiment.outDir},
                          {"seconds", seconds},
                          {"cells", cells},
                          {"failed_cells", failed},
                          {"rows", json::parse(transfer::jsonTable(rows))}}
                         .dump(2)
                  << std::endl;
        return;
    }
    std::cout << "experiment " << id << " (" << experiment.status << "), tables in "
              << experiment.outDir << "\n\n"
              << transfer::markdownTable(rows) << "\nwall time of this invocation: " << seconds
              << " s" << std::endl;
}

// `experiment report ID [--out DIR]`: the tables from the store, at any time, anywhere.
void addReport(CLI::App& experiment, int& exitCode)
{
    struct Options {
        StoreFlags store;
        std::int64_t id = 0;
        std::string out;
        bool json = false;
    };
    auto o = std::make_shared<Options>();
    auto* cmd = experiment.add_subcommand(
        "report", "Write results.md/csv/json of an experiment from the store (also while its "
                  "cells are still running elsewhere)");
    cmd->add_option("id", o->id, "Experiment id")->required();
    cmd->add_option("--out", o->out, "Folder for the tables (default: the experiment's)");
    o->store.add(*cmd, false);
    cmd->add_flag("--json", o->json, "Print one JSON object on stdout");
    cmd->callback([o, &exitCode] {
        auto db = store::RunStore::openExisting(o->store.path());
        const auto experiment = db.experiment(o->id);
        const auto rows = jobs::writeExperimentReport(db, o->id, o->out);
        const auto out = o->out.empty() ? experiment.outDir : o->out;
        if (o->json) {
            auto cells = json::array();
            for (const auto& c : experiment.cells)
                cells.push_back(store::cellJson(c));
            std::cout << json{{"schema_version", store::kJsonSchemaVersion},
                              {"experiment_id", o->id},
                              {"status", experiment.status},
                              {"out", out},
                              {"cells", cells},
                              {"rows", json::parse(transfer::jsonTable(rows))}}
                             .dump(2)
                      << std::endl;
        } else {
            std::cout << "experiment " << o->id << " (" << experiment.status << "), tables in "
                      << out << "\n\n"
                      << transfer::markdownTable(rows);
        }
        exitCode = 0;
    });
}

// `experiment study ID [--embedder SPEC]...`: does the distance predict the gain?
void addStudy(CLI::App& experiment, int& exitCode)
{
    struct Options {
        StoreFlags store;
        std::int64_t id = 0;
        jobs::StudyOptions study;
        std::string out;
        bool json = false;
    };
    auto o = std::make_shared<Options>();
    auto* cmd = experiment.add_subcommand(
        "study", "Rank-correlate each embedder's distances with the gains of an experiment's "
                 "warm starts (run it with --arms scratch,each-source): study.md/csv/json");
    cmd->add_option("id", o->id, "Experiment id")->required();
    cmd->add_option("--embedder", o->study.embedders,
                    "EMBED[@SIZE], repeatable: pixels, auto, supernet:RUN_OR_CHECKPOINT or "
                    "torchscript:FILE, at image size SIZE (default: the experiment's embedder)");
    cmd->add_option("--resamples", o->study.resamples, "Bootstrap resamples over targets")
        ->check(CLI::Range(100, 1000000))
        ->capture_default_str();
    cmd->add_option("--bootstrap-seed", o->study.seed, "Seed of the bootstrap")
        ->capture_default_str();
    cmd->add_option("--threads", o->study.threads, "Threads of the distances (0 = the "
                                                   "experiment's setting)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--data-root", o->study.dataRoots,
                    "Where the target datasets are on this machine when not at their stored "
                    "paths (DIR/FOLDER_NAME is tried; repeatable)");
    cmd->add_option("--out", o->out, "Folder for the tables (default: the experiment's)");
    o->store.add(*cmd, false);
    cmd->add_flag("--json", o->json, "Print study.json on stdout");
    cmd->callback([o, &exitCode] {
        RunControl control;
        InterruptGuard interrupt(control);
        QuietOtProgress progress;
        jobs::DistanceStudy study;
        try {
            study = jobs::runDistanceStudy(o->store.path(), o->id, o->study, control, progress);
        } catch (const Error&) {
            if (!control.stopRequested()) throw;
            std::cerr << "study cancelled (nothing written)" << std::endl;
            exitCode = interrupt.cancelledExitCode();
            return;
        }
        auto db = store::RunStore::openExisting(o->store.path());
        jobs::writeDistanceStudy(db, study, o->out);
        std::cout << (o->json ? jobs::studyJson(study) : jobs::studyMarkdown(study)) << std::endl;
        exitCode = 0;
    });
}

} // namespace

void addExperimentCommand(CLI::App& root, int& exitCode)
{
    struct Options {
        jobs::ExperimentSpec spec;
        CommonFlags common;
        StoreFlags store;
        DistanceFlags distance;
        QueueFlags queue;
        std::string out;
        std::int64_t resume = 0;
        bool restartUnresumable = false;
    };
    auto o = std::make_shared<Options>();
    auto& s = o->spec;
    auto* cmd = root.add_subcommand(
        "experiment", "Paired experiment: per target and seed, search from scratch and warm-"
                      "started (ot, random, multi), retrain each genotype, tabulate speed-ups");
    cmd->add_option("--targets", s.targets, "Target datasets");
    cmd->add_option("--arms", s.arms,
                    "scratch,ot,random,multi; each-source adds one arm per compatible "
                    "single-dataset zoo entry (source:ID, its distance measured)")
        ->delimiter(',');
    cmd->add_option("--seeds", s.seeds, "Seeds, e.g. 0,1,2")->delimiter(',');
    cmd->add_option("--retrain-epochs", s.retrainEpochs,
                    "Epochs of each genotype's retraining (0 = skip)")
        ->capture_default_str();
    cmd->add_option("--retrain-channels", s.retrainChannels,
                    "Initial channels C of the network each found cell is retrained in")
        ->capture_default_str();
    cmd->add_option("--retrain-layers", s.retrainLayers, "Cells of that network")
        ->capture_default_str();
    cmd->add_option("--multi", s.multi, "Zoo id of the multi arm (default: newest multi entry)");
    cmd->add_option("--out", o->out, "Folder for results.md/csv/json (default: beside the db)");
    cmd->add_option("--resume", o->resume, "Continue experiment ID (its stored settings)");
    cmd->add_flag("--restart-unresumable", o->restartUnresumable,
                  "Search a cell again from the start when its interrupted search has no usable "
                  "checkpoint (default: the cell fails with the reason)");
    s.search.data.path = "-"; // per target
    o->common.add(*cmd, s.search.data, s.search.runtime, s.search.weights);
    // Targets and seeds come from --targets and --seeds: the single-run flags are not offered.
    cmd->remove_option(cmd->get_option("--data"));
    cmd->remove_option(cmd->get_option("--seed"));
    addSearchFlags(*cmd, s.search);
    o->distance.add(*cmd);
    o->store.add(*cmd, false);
    o->queue.add(*cmd);
    addReport(*cmd, exitCode);
    addStudy(*cmd, exitCode);
    cmd->callback([o, cmd, &exitCode] {
        if (cmd->got_subcommand("report") || cmd->got_subcommand("study")) return;
        const bool threadsGiven = cmd->count("--threads") > 0;
        const auto start = std::chrono::steady_clock::now();
        const auto dbPath = o->store.path();
        o->common.finish(o->spec.search.data);
        o->spec.distance = o->distance.settings;
        std::int64_t id = o->resume;
        if (id > 0) {
            const int threads = o->spec.search.runtime.threads;
            auto db = store::RunStore::openExisting(dbPath);
            o->spec = jobs::ExperimentSpec::fromJson(db.experiment(id).specJson);
            if (threadsGiven) o->spec.search.runtime.threads = threads;
            o->spec.validate(); // its targets must still be there
            std::cerr << "resuming experiment " << id << std::endl;
        } else {
            o->spec.validate();
            if (o->queue.queue) {
                // Recorded now, run by the workers: one job per cell.
                const auto id = jobs::createExperiment(dbPath, o->spec, o->out);
                const auto jobs = jobs::submitExperiment(
                    dbPath, id, o->spec, o->queue.submission(o->spec.search.runtime.device));
                if (o->common.json)
                    std::cout << json{{"schema_version", store::kJsonSchemaVersion},
                                      {"experiment_id", id},
                                      {"job_ids", jobs}}
                                     .dump(2)
                              << std::endl;
                else
                    std::cout << id << std::endl;
                std::cerr << "experiment " << id << ": " << jobs.size() << " cell jobs queued ("
                          << store::redactedWorkspace(dbPath) << ")" << std::endl;
                exitCode = 0;
                return;
            }
            const auto opened = jobs::openExperiment(dbPath, o->spec, o->out);
            id = opened.id;
            std::cerr << (opened.resumed ? "resuming experiment " : "experiment ") << id << " ("
                      << store::redactedWorkspace(dbPath) << ")" << std::endl;
        }
        RunControl control;
        InterruptGuard guard(control);
        ExperimentPrinter printer;
        jobs::ExperimentOptions options;
        options.restartUnresumable = o->restartUnresumable;
        const auto outcome = jobs::runExperiment(dbPath, id, o->spec, options, control, printer);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        report(dbPath, id, o->common.json, seconds, outcome);
        // 1 when any cell failed (all of them, or some: the partial failure is listed above).
        exitCode = outcome.stopped ? guard.cancelledExitCode() : outcome.failed.empty() ? 0 : 1;
    });
}

} // namespace wb::cli
