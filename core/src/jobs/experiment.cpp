#include "wb/jobs/experiment.h"

#include "wb/common/atomic_file.h"
#include "wb/common/error.h"
#include "wb/darts/collapse.h"
#include "wb/jobs/recorded.h"
#include "wb/jobs/resume.h"
#include "wb/jobs/warm_start_source.h"
#include "wb/jobs/zoo_entry.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>

namespace fs = std::filesystem;

namespace wb::jobs {
namespace {

using store::CellState;

// Forwards OT warnings of a source ranking to the current job's observer.
class RankingIssues : public ot::OtObserver {
public:
    explicit RankingIssues(darts::RunObserver& to) : m_to(to) {}
    void onIssue(const Issue& issue) override { m_to.onIssue(issue); }

private:
    darts::RunObserver& m_to;
};

class CellRunner {
public:
    CellRunner(const std::string& db, std::int64_t id, const ExperimentSpec& spec,
               const ExperimentOptions& options, RunControl& control, ExperimentObserver& observer)
        : m_db(db), m_id(id), m_spec(spec), m_options(options), m_control(control),
          m_observer(observer)
    {
    }

    // A failed cell whose search stopped and cannot resume (what a restart would redo).
    bool unresumable(const store::ExperimentCell& cell) const
    {
        if (cell.state != CellState::Failed || !cell.searchRunId) return false;
        try {
            auto db = store::RunStore::open(m_db);
            return db.hasRun(*cell.searchRunId) &&
                   !planResume(db, *cell.searchRunId).unusable.empty();
        } catch (const Error&) {
            return false; // not resumable at all (done, running): nothing to restart
        }
    }

    // Runs the cell to done or failed; false when a stop request interrupted it.
    bool run(store::ExperimentCell& cell)
    {
        auto config = m_spec.search;
        config.data.path =
            m_options.resolveTarget ? m_options.resolveTarget(cell.target) : cell.target;
        config.runtime.seed = cell.seed;
        std::optional<store::RunDetails> search;
        if (cell.searchRunId) {
            auto db = store::RunStore::open(m_db);
            if (db.hasRun(*cell.searchRunId)) search = db.run(*cell.searchRunId);
        }
        if (search && search->status == RunStatus::Running && !m_options.takeOverRunning)
            throw Error("experiment cell " + cell.target + " seed " + std::to_string(cell.seed) +
                        " arm " + cell.arm + ": its search (run " + std::to_string(search->id) +
                        ") is running in another process");
        if (!search || search->status != RunStatus::Done) {
            std::optional<darts::SearchResult> result;
            if (search) result = resume(cell, *search, config); // nothing: failed, or restart
            if (cell.state == CellState::Failed) return true;
            if (!result) result = fresh(cell, config);
            if (!result) return cell.state == CellState::Failed; // else stopped while ranking
            if (result->status == RunStatus::Cancelled) return false;
            if (result->status == RunStatus::Failed) return fail(cell, result->error);
        }
        return retrain(cell, config);
    }

private:
    void put(store::ExperimentCell& cell, CellState state)
    {
        cell.state = state;
        store::RunStore::open(m_db).putExperimentCell(m_id, cell);
        m_observer.onCellChanged(cell);
    }

    bool fail(store::ExperimentCell& cell, const std::string& error)
    {
        cell.error = error;
        put(cell, CellState::Failed);
        return true;
    }

    template <typename Result> Result finished(const Recorded<Result>& recorded)
    {
        if (recorded.storeError) m_observer.onStoreError(*recorded.storeError);
        return recorded.result;
    }

    // Continues the cell's interrupted search. Nothing when it cannot: then the cell failed
    // with the reason, or (restartUnresumable) a fresh search is to be started.
    std::optional<darts::SearchResult> resume(store::ExperimentCell& cell,
                                              const store::RunDetails& search,
                                              darts::SearchConfig& config)
    {
        ResumePlan plan;
        try {
            auto db = store::RunStore::open(m_db);
            plan = planResume(db, search.id, m_options.takeOverRunning);
        } catch (const Error& e) {
            fail(cell, e.what());
            return std::nullopt;
        }
        if (!plan.unusable.empty()) {
            if (!m_options.restartUnresumable)
                fail(cell, "cannot resume: " + plan.unusable +
                               " (experiment --restart-unresumable searches it again)");
            return std::nullopt;
        }
        const auto path = config.data.path; // as resolved on this machine
        config = darts::SearchConfig::fromJson(search.configJson);
        config.data.path = path;
        config.runtime.threads = m_spec.search.runtime.threads;
        auto& observer = m_observer.jobObserver("search", config.epochs);
        try {
            ResumeOptions resume;
            resume.threads = config.runtime.threads;
            resume.takeOver = m_options.takeOverRunning;
            resume.localise = [&](darts::SearchConfig& c) { c.data.path = path; };
            return finished(resumeRecordedSearch(m_db, search.id, resume, m_control, observer));
        } catch (const Error& e) {
            fail(cell, e.what());
            return std::nullopt;
        }
    }

    // A new search for the cell (warm-started for every arm but scratch). Nothing when the cell
    // failed before searching or a stop request came during the source ranking.
    std::optional<darts::SearchResult> fresh(store::ExperimentCell& cell,
                                             darts::SearchConfig& config)
    {
        auto& observer = m_observer.jobObserver("search", config.epochs);
        std::optional<transfer::SourceChoice> choice;
        if (cell.arm != "scratch") {
            try {
                RankingIssues issues(observer);
                std::string note;
                choice = chooseWarmStart(m_db, sourceFor(cell.arm), config, m_spec.distance, false,
                                         m_control, issues, &note);
                m_observer.onSourceChosen(*choice, note);
            } catch (const Error& e) {
                if (!m_control.stopRequested()) fail(cell, e.what());
                return std::nullopt;
            }
            cell.zooId = choice->chosen.id;
            cell.source = choice->chosen.name;
            cell.distance = choice->distance;
        }
        const auto created = [&](std::int64_t runId) {
            cell.searchRunId = runId;
            cell.error.clear();
            put(cell, CellState::Searching);
        };
        return finished(recordedSearch(m_db, config, m_control, observer, created,
                                       choice ? std::optional(choice->record()) : std::nullopt));
    }

    std::string sourceFor(const std::string& arm) const
    {
        if (arm == "ot") return "auto";
        if (arm == "random") return "random";
        if (arm.starts_with("source:")) return "measured:" + arm.substr(7);
        if (m_spec.multi > 0) return std::to_string(m_spec.multi);
        auto db = store::RunStore::open(m_db);
        const auto zoo = db.zoo();
        for (auto it = zoo.rbegin(); it != zoo.rend(); ++it)
            if (it->multi()) return std::to_string(it->id);
        throw Error("arm multi: the zoo of " + db.path() +
                    " has no multi-dataset supernet (supernet pretrain --data A --data B ...)");
    }

    // The cell's training: continued from its checkpoints when an earlier attempt left one
    // that can resume, else a new one.
    Recorded<darts::TrainResult> train(store::ExperimentCell& cell, const darts::TrainConfig& t)
    {
        auto& observer = m_observer.jobObserver("train", t.epochs);
        if (cell.trainRunId && cell.state == CellState::Training) {
            ResumeOptions resume;
            resume.threads = t.runtime.threads;
            resume.takeOver = m_options.takeOverRunning;
            resume.localiseTrain = [&](darts::TrainConfig& c) { c.data.path = t.data.path; };
            try {
                return resumeRecordedTrain(m_db, *cell.trainRunId, resume, m_control, observer);
            } catch (const Error&) { // gone, finished or without a usable checkpoint: anew
            }
        }
        const auto created = [&](std::int64_t runId) {
            cell.trainRunId = runId;
            put(cell, CellState::Training);
        };
        return recordedTrain(m_db, t, m_control, observer, created);
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
            if (!run.genotype)
                return fail(cell, "search run " + std::to_string(run.id) + " has no genotype");
            darts::TrainConfig t;
            t.data = search.data;
            t.runtime = search.runtime;
            t.weights = search.weights;
            t.genotype = *run.genotype;
            t.channels = m_spec.retrainChannels;
            t.layers = m_spec.retrainLayers;
            t.batchSize = search.batchSize;
            t.epochs = m_spec.retrainEpochs;
            const auto result = finished(train(cell, t));
            if (result.status == RunStatus::Cancelled) return false;
            if (result.status == RunStatus::Failed) return fail(cell, result.error);
            cell.testAcc = result.testAcc;
            for (const auto& e : result.epochs)
                cell.seconds += e.seconds;
        }
        put(cell, CellState::Done);
        return true;
    }

    const std::string& m_db;
    std::int64_t m_id;
    const ExperimentSpec& m_spec;
    const ExperimentOptions& m_options;
    RunControl& m_control;
    ExperimentObserver& m_observer;
};

// Runs `cell` unless it is done or failed (a failed one is restarted when asked and it failed
// for want of a checkpoint); true when a stop request interrupted it.
bool runStoredCell(CellRunner& runner, store::ExperimentCell& cell,
                   const ExperimentOptions& options, ExperimentObserver& observer)
{
    if (options.restartUnresumable && runner.unresumable(cell)) {
        cell.state = CellState::Searching;
        cell.error.clear();
    }
    if (cell.state == CellState::Done || cell.state == CellState::Failed) return false;
    observer.onCellStarted(cell);
    return !runner.run(cell);
}

} // namespace

ExperimentOutcome runExperiment(const std::string& db, std::int64_t id, const ExperimentSpec& spec,
                                const ExperimentOptions& options, RunControl& control,
                                ExperimentObserver& observer)
{
    std::vector<store::ExperimentCell> stored;
    std::map<std::string, std::vector<std::string>> arms; // per target
    {
        auto store = store::RunStore::open(db);
        stored = store.experiment(id).cells;
        for (const auto& target : spec.targets)
            arms[target] = expandArms(
                spec, store, options.resolveTarget ? options.resolveTarget(target) : target);
        store.setExperimentStatus(id, "running");
    }
    CellRunner runner(db, id, spec, options, control, observer);
    ExperimentOutcome out;
    for (const auto& target : spec.targets)
        for (const auto seed : spec.seeds)
            for (const auto& arm : arms[target]) {
                store::ExperimentCell cell;
                cell.target = target;
                cell.seed = seed;
                cell.arm = arm;
                for (const auto& c : stored)
                    if (c.target == target && c.seed == seed && c.arm == arm) cell = c;
                if (!out.stopped) out.stopped = runStoredCell(runner, cell, options, observer);
                if (cell.state == CellState::Done) out.done.push_back(cell);
                if (cell.state == CellState::Failed) out.failed.push_back(cell);
            }
    const auto status = out.stopped                               ? "cancelled"
                        : out.done.empty() && !out.failed.empty() ? "failed"
                                                                  : "done";
    store::RunStore::open(db).setExperimentStatus(id, status);
    return out;
}

store::ExperimentCell runExperimentCell(const std::string& db, std::int64_t id,
                                        const ExperimentSpec& spec, const std::string& target,
                                        std::uint64_t seed, const std::string& arm,
                                        const ExperimentOptions& options, RunControl& control,
                                        ExperimentObserver& observer, bool* stopped)
{
    store::ExperimentCell cell;
    cell.target = target;
    cell.seed = seed;
    cell.arm = arm;
    for (const auto& c : store::RunStore::open(db).experiment(id).cells)
        if (c.target == target && c.seed == seed && c.arm == arm) cell = c;
    CellRunner runner(db, id, spec, options, control, observer);
    const bool interrupted = runStoredCell(runner, cell, options, observer);
    if (stopped) *stopped = interrupted;
    return cell;
}

transfer::ArmOutcome cellOutcome(const store::ExperimentCell& cell, std::vector<double> valCurve)
{
    transfer::ArmOutcome o;
    o.target = folderName(cell.target);
    o.arm = cell.arm;
    o.seed = cell.seed;
    o.source = cell.source;
    o.distance = cell.distance;
    o.testAcc = cell.testAcc;
    o.seconds = cell.seconds;
    o.valCurve = std::move(valCurve);
    if (cell.state != CellState::Done)
        o.error = cell.error.empty() ? store::cellStateName(cell.state) : cell.error;
    return o;
}

std::vector<transfer::ArmOutcome> experimentOutcomes(store::RunStore& db,
                                                     const store::ExperimentRecord& experiment)
{
    std::vector<transfer::ArmOutcome> out;
    for (const auto& c : experiment.cells) {
        std::vector<double> curve;
        bool undecided = false;
        int valImages = 0;
        if (c.searchRunId && db.hasRun(*c.searchRunId)) {
            for (const auto& e : db.epochs(*c.searchRunId))
                curve.push_back(e.valAcc);
            if (const auto run = db.run(*c.searchRunId); run.dataset)
                valImages = run.dataset->valImages;
            if (const auto alphas = db.alphas(*c.searchRunId); !alphas.empty()) {
                const auto& last = alphas.back();
                undecided = !darts::undecidedReason(last.signals, int(last.ops.size()),
                                                    int(last.genotype.normal.size()))
                                 .empty();
            }
        }
        out.push_back(cellOutcome(c, std::move(curve)));
        out.back().undecided = undecided;
        out.back().valImages = valImages;
    }
    return out;
}

std::vector<transfer::ArmSummary> writeExperimentReport(store::RunStore& db, std::int64_t id,
                                                        const std::string& outDir)
{
    const auto experiment = db.experiment(id);
    const auto rows = transfer::summarise(experimentOutcomes(db, experiment));
    const auto dir = fs::path(outDir.empty() ? experiment.outDir : outDir);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(dir.string() + ": cannot create the folder: " + ec.message());
    writeFileAtomically((dir / "results.md").string(), transfer::markdownTable(rows));
    writeFileAtomically((dir / "results.csv").string(), transfer::csvTable(rows));
    writeFileAtomically((dir / "results.json").string(), transfer::jsonTable(rows));
    return rows;
}

} // namespace wb::jobs
