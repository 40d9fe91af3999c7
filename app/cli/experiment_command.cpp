// `supernet experiment`: paired scratch / warm-start searches over targets and seeds, each arm's
// genotype retrained from scratch, grouped as one experiment in the store and resumable.

#include "commands.h"
#include "common_flags.h"
#include "interrupt.h"
#include "progress_printer.h"
#include "recorded_run.h"
#include "search_flags.h"
#include "transfer_job.h"
#include "zoo_entry.h"

#include "wb/common/error.h"
#include "wb/darts/observer_list.h"
#include "wb/darts/search.h"
#include "wb/store/run_store.h"
#include "wb/transfer/experiment_report.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

namespace fs = std::filesystem;
using nlohmann::json;

namespace wb::cli {
namespace {

const std::vector<std::string> kArms = {"scratch", "ot", "random", "multi"};

// What an experiment asks for; stored as JSON so that `--resume ID` (or the same command run
// again) continues it.
struct Spec {
    std::vector<std::string> targets;
    std::vector<std::string> arms = {"scratch", "ot", "random", "multi"};
    std::vector<std::uint64_t> seeds = {0, 1, 2};
    int retrainEpochs = 10;
    int retrainChannels = 16;
    int retrainLayers = 8;
    std::int64_t multi = 0;  // 0 = the newest multi-dataset zoo entry
    darts::SearchConfig search;
    DistanceFlags distance;

    json toJson() const
    {
        return {{"targets", targets},
                {"arms", arms},
                {"seeds", seeds},
                {"epochs", search.epochs},
                {"retrain_epochs", retrainEpochs},
                {"retrain_channels", retrainChannels},
                {"retrain_layers", retrainLayers},
                {"multi", multi},
                {"search", json::parse(search.toJson())},
                {"distance",
                 {{"embed", distance.embed},
                  {"embed_size", distance.config.embedder.size},
                  {"embed_dim", distance.config.embedDim},
                  {"inner", distance.inner},
                  {"maxsamples", distance.config.maxSamples},
                  {"entreg", distance.config.entreg}}}};
    }
    static Spec fromJson(const json& j)
    {
        Spec s;
        j.at("targets").get_to(s.targets);
        j.at("arms").get_to(s.arms);
        j.at("seeds").get_to(s.seeds);
        j.at("retrain_epochs").get_to(s.retrainEpochs);
        j.at("retrain_channels").get_to(s.retrainChannels);
        j.at("retrain_layers").get_to(s.retrainLayers);
        j.at("multi").get_to(s.multi);
        s.search = darts::SearchConfig::fromJson(j.at("search").dump());
        const auto& d = j.at("distance");
        d.at("embed").get_to(s.distance.embed);
        d.at("embed_size").get_to(s.distance.config.embedder.size);
        d.at("embed_dim").get_to(s.distance.config.embedDim);
        d.at("inner").get_to(s.distance.inner);
        d.at("maxsamples").get_to(s.distance.config.maxSamples);
        d.at("entreg").get_to(s.distance.config.entreg);
        return s;
    }
    void validate() const
    {
        if (targets.empty()) throw Error("--targets: give at least one dataset");
        if (seeds.empty()) throw Error("--seeds: give at least one seed");
        for (const auto& a : arms)
            if (std::find(kArms.begin(), kArms.end(), a) == kArms.end())
                throw Error("--arms: unknown arm '" + a + "' (scratch, ot, random, multi)");
        if (retrainEpochs < 0) throw Error("--retrain-epochs: must be >= 0");
        search.validate();
    }
};

// What makes two invocations the same experiment: the spec without the thread count (a resumed
// experiment may use another machine share).
std::string identity(const std::string& specJson)
{
    auto j = json::parse(specJson);
    j["search"]["runtime"].erase("threads");
    return j.dump();
}

std::string sourceFor(const std::string& arm, const Spec& spec, store::RunStore& db)
{
    if (arm == "ot") return "auto";
    if (arm == "random") return "random";
    if (spec.multi > 0) return std::to_string(spec.multi);
    const auto zoo = db.zoo();
    for (auto it = zoo.rbegin(); it != zoo.rend(); ++it)
        if (it->multi()) return std::to_string(it->id);
    throw Error("arm multi: the zoo of " + db.path() +
                " has no multi-dataset supernet (supernet pretrain --data A --data B ...)");
}

class Experiment {
public:
    Experiment(std::string dbPath, Spec spec, std::int64_t id, RunControl& control)
        : m_db(std::move(dbPath)), m_spec(std::move(spec)), m_id(id), m_control(control)
    {
    }

    // Runs every cell not done yet; false when stopped.
    bool run()
    {
        std::vector<store::ExperimentCell> cells;
        {
            auto db = store::RunStore::open(m_db);
            cells = db.experiment(m_id).cells;
        }
        for (const auto& target : m_spec.targets)
            for (const auto seed : m_spec.seeds)
                for (const auto& arm : m_spec.arms) {
                    store::ExperimentCell cell;
                    cell.target = target;
                    cell.seed = seed;
                    cell.arm = arm;
                    for (const auto& c : cells)
                        if (c.target == target && c.seed == seed && c.arm == arm) cell = c;
                    if (cell.status == "done" || cell.status == "failed") continue;
                    std::cerr << "== " << folderName(target) << " seed " << seed << " arm " << arm
                              << std::endl;
                    if (!runCell(cell)) return false;
                }
        return true;
    }

private:
    void put(const store::ExperimentCell& cell)
    {
        auto db = store::RunStore::open(m_db);
        db.putExperimentCell(m_id, cell);
    }

    void fail(store::ExperimentCell& cell, const std::string& error)
    {
        std::cerr << "arm failed: " << error << std::endl;
        cell.status = "failed";
        cell.error = error;
        put(cell);
    }

    template <typename Job> darts::RunStatus runJob(RecordedRun& recorded, int epochs, Job&& job)
    {
        ProgressPrinter progress(epochs);
        darts::ObserverList observers{&progress, &recorded.observer()};
        const auto result = job(observers);
        if (const auto error = recorded.finish(result.status, result.error))
            std::cerr << "warning: the run store could not record everything: " << *error
                      << std::endl;
        if (result.status == darts::RunStatus::Failed) m_lastError = result.error;
        return result.status;
    }

    bool runCell(store::ExperimentCell& cell)
    {
        auto config = m_spec.search;
        config.data.path = cell.target;
        config.runtime.seed = cell.seed;
        darts::RunStatus status = darts::RunStatus::Done;
        std::optional<store::RunDetails> search;
        if (cell.searchRunId) {
            auto db = store::RunStore::open(m_db);
            if (db.hasRun(*cell.searchRunId)) search = db.run(*cell.searchRunId);
        }
        if (search && search->status != darts::RunStatus::Done) {
            // Interrupted mid-search: continue that run from its newest checkpoint.
            config = darts::SearchConfig::fromJson(search->configJson);
            config.runtime.threads = m_spec.search.runtime.threads;
            std::vector<darts::CheckpointInfo> checkpoints;
            {
                auto db = store::RunStore::open(m_db);
                checkpoints = store::resumeCheckpoints(db, search->id);
            }
            auto recorded = reopenRecordedRun(m_db, search->id);
            config.checkpointDir = recorded->directory();
            status = runJob(*recorded, config.epochs, [&](darts::RunObserver& o) {
                return checkpoints.empty() ? darts::runSearch(config, m_control, o)
                                           : darts::resumeSearch(config, checkpoints, m_control, o);
            });
        } else if (!search) {
            std::optional<transfer::SourceChoice> choice;
            if (cell.arm != "scratch") {
                try {
                    auto db = store::RunStore::open(m_db);
                    const auto how = sourceFor(cell.arm, m_spec, db);
                    choice = prepareTransfer(m_db, how, config, m_spec.distance, false,
                                             m_control);
                } catch (const Error& e) {
                    if (m_control.stopRequested()) return false;
                    fail(cell, e.what());
                    return true;
                }
                cell.zooId = choice->chosen.id;
                cell.source = choice->chosen.name;
                cell.distance = choice->distance;
            }
            auto recorded = startRecordedRun(m_db, "search", config.toJson(),
                                               config.runtime.seed, config.data.path);
            cell.searchRunId = recorded->id();
            cell.status = "searching";
            put(cell);
            if (choice) recordTransferOf(m_db, recorded->id(), *choice);
            config.checkpointDir = recorded->directory();
            status = runJob(*recorded, config.epochs, [&](darts::RunObserver& o) {
                return darts::runSearch(config, m_control, o);
            });
        }
        if (status == darts::RunStatus::Cancelled) return false;
        if (status == darts::RunStatus::Failed) {
            fail(cell, m_lastError);
            return true;
        }
        return retrain(cell, config);
    }

    bool retrain(store::ExperimentCell& cell, const darts::SearchConfig& search)
    {
        store::RunDetails run;
        {
            auto db = store::RunStore::open(m_db);
            run = db.run(*cell.searchRunId);
        }
        cell.seconds = run.seconds;
        if (m_spec.retrainEpochs > 0) {
            if (!run.genotype) {
                fail(cell, "search run " + std::to_string(run.id) + " has no genotype");
                return true;
            }
            darts::TrainConfig t;
            t.data = search.data;
            t.runtime = search.runtime;
            t.weights = search.weights;
            t.genotype = *run.genotype;
            t.channels = m_spec.retrainChannels;
            t.layers = m_spec.retrainLayers;
            t.batchSize = search.batchSize;
            t.epochs = m_spec.retrainEpochs;
            auto recorded = startRecordedRun(m_db, "train", t.toJson(), t.runtime.seed,
                                               t.data.path);
            cell.trainRunId = recorded->id();
            cell.status = "training";
            put(cell);
            darts::TrainResult result;
            const auto status = runJob(*recorded, t.epochs, [&](darts::RunObserver& o) {
                result = darts::runTrain(t, m_control, o);
                return result;
            });
            if (status == darts::RunStatus::Cancelled) return false;
            if (status == darts::RunStatus::Failed) {
                fail(cell, m_lastError);
                return true;
            }
            cell.testAcc = result.testAcc;
            for (const auto& e : result.epochs) cell.seconds += e.seconds;
        }
        cell.status = "done";
        put(cell);
        return true;
    }

    std::string m_db;
    Spec m_spec;
    std::int64_t m_id;
    RunControl& m_control;
    std::string m_lastError;
};

std::vector<transfer::ArmOutcome> outcomes(store::RunStore& db,
                                           const store::ExperimentRecord& experiment)
{
    std::vector<transfer::ArmOutcome> out;
    for (const auto& c : experiment.cells) {
        transfer::ArmOutcome o;
        o.target = folderName(c.target);
        o.arm = c.arm;
        o.seed = c.seed;
        o.source = c.source;
        o.distance = c.distance;
        o.testAcc = c.testAcc;
        o.seconds = c.seconds;
        o.error = c.status == "done" ? c.error : (c.error.empty() ? c.status : c.error);
        if (c.searchRunId && db.hasRun(*c.searchRunId))
            for (const auto& e : db.epochs(*c.searchRunId)) o.valCurve.push_back(e.valAcc);
        out.push_back(std::move(o));
    }
    return out;
}

void report(const std::string& dbPath, std::int64_t id, bool asJson, double seconds)
{
    auto db = store::RunStore::open(dbPath);
    const auto experiment = db.experiment(id);
    const auto rows = transfer::summarise(outcomes(db, experiment));
    const auto markdown = transfer::markdownTable(rows);
    fs::create_directories(experiment.outDir);
    const auto write = [&](const char* name, const std::string& text) {
        std::ofstream(fs::path(experiment.outDir) / name) << text;
    };
    write("results.md", markdown);
    write("results.csv", transfer::csvTable(rows));
    write("results.json", transfer::jsonTable(rows));
    if (asJson) {
        std::cout << json{{"experiment_id", id},
                          {"status", experiment.status},
                          {"out", experiment.outDir},
                          {"seconds", seconds},
                          {"rows", json::parse(transfer::jsonTable(rows))}}
                         .dump(2)
                  << std::endl;
        return;
    }
    std::cout << "experiment " << id << " (" << experiment.status << "), tables in "
              << experiment.outDir << "\n\n"
              << markdown << "\nwall time of this invocation: " << seconds << " s" << std::endl;
}

} // namespace

void addExperimentCommand(CLI::App& root, int& exitCode)
{
    struct Options {
        Spec spec;
        CommonFlags common;
        StoreFlags store;
        std::string out;
        std::int64_t resume = 0;
    };
    auto o = std::make_shared<Options>();
    auto& s = o->spec;
    auto* cmd = root.add_subcommand(
        "experiment", "Paired experiment: per target and seed, search from scratch and warm-"
                      "started (ot, random, multi), retrain each genotype, tabulate speed-ups");
    cmd->add_option("--targets", s.targets, "Target datasets");
    cmd->add_option("--arms", s.arms, "scratch,ot,random,multi")->delimiter(',');
    cmd->add_option("--seeds", s.seeds, "Seeds, e.g. 0,1,2")->delimiter(',');
    cmd->add_option("--retrain-epochs", s.retrainEpochs,
                    "Epochs of each genotype's retraining (0 = skip)")
        ->capture_default_str();
    cmd->add_option("--retrain-channels", s.retrainChannels)->capture_default_str();
    cmd->add_option("--retrain-layers", s.retrainLayers)->capture_default_str();
    cmd->add_option("--multi", s.multi, "Zoo id of the multi arm (default: newest multi entry)");
    cmd->add_option("--out", o->out, "Folder for results.md/csv/json (default: beside the db)");
    cmd->add_option("--resume", o->resume, "Continue experiment ID (its stored settings)");
    s.search.data.path = "-";  // per target
    o->common.add(*cmd, s.search.data, s.search.runtime, s.search.weights);
    cmd->get_option("--data")->required(false)->description("(unused: see --targets)");
    cmd->get_option("--seed")->description("(unused: see --seeds)");
    addSearchFlags(*cmd, s.search);
    s.distance.add(*cmd);
    o->store.add(*cmd, false);
    cmd->callback([o, cmd, &exitCode] {
        const bool threadsGiven = cmd->count("--threads") > 0;
        const auto start = std::chrono::steady_clock::now();
        const auto dbPath = o->store.path();
        o->common.finish(o->spec.search.data);
        std::int64_t id = o->resume;
        {
            auto db = store::RunStore::open(dbPath);
            if (id > 0) {
                const int threads = o->spec.search.runtime.threads;
                o->spec = Spec::fromJson(json::parse(db.experiment(id).specJson));
                if (threadsGiven) o->spec.search.runtime.threads = threads;
            } else {
                o->spec.validate();
                const auto spec = o->spec.toJson().dump();
                // The same command again continues an unfinished experiment.
                for (const auto& e : db.experiments())
                    if (identity(e.specJson) == identity(spec) && e.status != "done") id = e.id;
                if (id == 0) {
                    const auto all = db.experiments();
                    const auto next = all.empty() ? 1 : all.back().id + 1;
                    const auto out = o->out.empty()
                                         ? (fs::absolute(dbPath).parent_path() / "experiments" /
                                            ("experiment-" + std::to_string(next)))
                                               .string()
                                         : o->out;
                    id = db.createExperiment(spec, out);
                    std::cerr << "experiment " << id << " (" << dbPath << ")" << std::endl;
                } else {
                    std::cerr << "resuming experiment " << id << std::endl;
                }
            }
        }
        RunControl control;
        InterruptGuard guard(control);
        Experiment experiment(dbPath, o->spec, id, control);
        const bool finished = experiment.run();
        {
            auto db = store::RunStore::open(dbPath);
            db.setExperimentStatus(id, finished ? "done" : "cancelled");
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        report(dbPath, id, o->common.json, seconds);
        exitCode = finished ? 0 : guard.cancelledExitCode();
    });
}

} // namespace wb::cli
