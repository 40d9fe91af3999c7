// `supernet runs show|delete|export` (list, tag, note: runs_list.cpp; resume:
// resume_command.cpp): the workspace's run store from the terminal.

#include "commands.h"
#include "config_file.h"
#include "store_flags.h"
#include "table_text.h"

#include "wb/common/error.h"
#include "wb/darts/run_bundle.h"
#include "wb/store/export.h"
#include "wb/store/json_shapes.h"
#include "wb/store/run_store.h"
#include "wb/store/workspace_location.h"
#include "wb/suite/process.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

namespace wb::cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct RunsOptions {
    std::string db;
    bool json = false;
    std::int64_t id = 0;
    std::string to;
    bool force = false;
    bool config = false;
    bool torchscript = false;
    bool onnx = false;
    std::string python = "python3";
};

std::string databasePath(const RunsOptions& o)
{
    return o.db.empty() ? store::defaultWorkspace() : o.db;
}

std::string tagList(const std::vector<std::string>& tags)
{
    std::string out;
    for (const auto& t : tags)
        out += (out.empty() ? "" : ", ") + t;
    return out;
}

json showJson(store::RunStore& db, const store::RunDetails& r)
{
    auto out = store::runSummaryJson(r);
    const auto config = json::parse(r.configJson, nullptr, false);
    out["config"] = config.is_discarded() ? json(r.configJson) : config;
    out["test_loss"] = r.testLoss ? json(*r.testLoss) : json(nullptr);
    out["parameters"] = r.parameters ? json(*r.parameters) : json(nullptr);
    out["note"] = r.note;
    out["versions"] = {
        {"app", r.appVersion},
        {"libraries", r.libraryVersions},
        {r.sqliteVersion.starts_with("PostgreSQL") ? "database" : "sqlite", r.sqliteVersion}};
    out["host"] = r.host;
    out["pid"] = r.pid;
    out["heartbeat_at"] = store::isoTime(r.heartbeatAt);
    out["error"] = r.error;
    out["directory"] = r.directory;
    if (r.dataset) out["dataset"] = store::datasetJson(*r.dataset);
    out["genotype"] = r.genotype ? json(r.genotype->toPython()) : json(nullptr);
    out["genotype_json"] = r.genotype ? json::parse(r.genotype->toJson()) : json(nullptr);
    out["epoch_metrics"] = store::epochsJson(db.epochs(r.id));
    auto signals = json::array();
    for (const auto& a : db.alphas(r.id))
        signals.push_back({{"epoch", a.epoch},
                           {"skip_normal", a.signals.skipNormal},
                           {"skip_reduce", a.signals.skipReduce},
                           {"param_free_normal", store::numberOrNull(a.signals.paramFreeNormal)},
                           {"param_free_reduce", store::numberOrNull(a.signals.paramFreeReduce)},
                           {"entropy_normal", store::numberOrNull(a.signals.entropyNormal)},
                           {"entropy_reduce", store::numberOrNull(a.signals.entropyReduce)},
                           {"margin_normal", store::numberOrNull(a.signals.marginNormal)},
                           {"margin_reduce", store::numberOrNull(a.signals.marginReduce)},
                           {"undecided_normal", a.signals.undecidedNormal},
                           {"undecided_reduce", a.signals.undecidedReduce},
                           {"hessian_eigenvalue", store::numberOrNull(a.signals.hessianEigenvalue)},
                           {"hessian_seconds", store::numberOrNull(a.signals.hessianSeconds)}});
    out["signals"] = signals;
    out["issues"] = store::issuesJson(db.issues(r.id));
    auto checkpoints = json::array();
    for (const auto& c : db.checkpoints(r.id))
        checkpoints.push_back({{"kind", store::checkpointKindName(c.kind)},
                               {"epoch", c.info.epoch},
                               {"path", c.info.path},
                               {"sha256", c.info.sha256},
                               {"val_acc", store::numberOrNull(c.info.valAcc)}});
    out["checkpoints"] = checkpoints;
    return out;
}

void showRun(const RunsOptions& o)
{
    auto db = store::RunStore::openExisting(databasePath(o));
    const auto r = db.run(o.id);
    if (o.config) {
        std::cout << rerunToml(r, db.transfer(r.id));
        return;
    }
    if (o.json) {
        std::cout << showJson(db, r).dump(2) << std::endl;
        return;
    }
    auto& out = std::cout;
    out << "run " << r.id << "  " << r.role << "  " << statusName(r.status, r.stopReason) << "\n";
    if (!r.stopReason.empty()) out << "stopped   " << r.stopReason << "\n";
    out << "started   " << store::isoTime(r.startedAt);
    if (r.finishedAt) out << "   finished " << store::isoTime(*r.finishedAt);
    out << "   (" << fixed(r.seconds, 1) << " s in " << r.epochs
        << (r.epochs == 1 ? " epoch)\n" : " epochs)\n");
    out << "dataset   " << r.datasetPath;
    if (r.dataset)
        out << " (" << r.dataset->format << ", " << r.dataset->classNames.size()
            << " classes, fingerprint " << r.dataset->fingerprint.substr(0, 12) << ")";
    out << "\n";
    if (r.dataset)
        out << "          (the fingerprint covers the images as loaded: at image size "
            << r.dataset->imageSize << ", so other sizes of one dataset differ)\n";
    if (!r.warmStart.empty()) out << "warm start from zoo entry " << r.warmStart << "\n";
    out << "seed " << r.seed << "   host " << r.host << "   pid " << r.pid << "\n";
    if (!r.tags.empty()) out << "tags      " << tagList(r.tags) << "\n";
    if (!r.note.empty()) out << "note      " << r.note << "\n";
    if (r.testAcc)
        out << "test      accuracy " << fixed(*r.testAcc, 4) << ", loss "
            << (r.testLoss ? fixed(*r.testLoss, 4) : "-") << ", "
            << (r.parameters ? std::to_string(*r.parameters) : "-") << " parameters\n";
    out << "versions  app " << r.appVersion << ", " << r.libraryVersions << ", "
        << (r.sqliteVersion.starts_with("PostgreSQL") ? "" : "sqlite ") << r.sqliteVersion << "\n";
    out << "folder    " << r.directory << "\n";
    if (!r.error.empty()) out << "error     " << r.error << "\n";

    const auto config = json::parse(r.configJson, nullptr, false);
    out << "\nconfig\n" << (config.is_discarded() ? r.configJson : config.dump(2)) << "\n";

    const auto epochs = db.epochs(r.id);
    out << "\n"
        << padded("epoch", 5, true) << padded("train loss", 12, true)
        << padded("train acc", 11, true) << padded("val loss", 11, true)
        << padded("val acc", 9, true) << padded("lr", 10, true) << padded("seconds", 9, true)
        << "\n";
    for (const auto& e : epochs)
        out << padded(std::to_string(e.epoch), 5, true) << padded(fixed(e.trainLoss, 4), 12, true)
            << padded(fixed(e.trainAcc, 4), 11, true) << padded(fixed(e.valLoss, 4), 11, true)
            << padded(fixed(e.valAcc, 4), 9, true) << padded(fixed(e.lr, 6), 10, true)
            << padded(fixed(e.seconds, 1), 9, true) << "\n";
    if (epochs.empty()) out << "  (no epoch finished)\n";

    out << "\ngenotype\n" << (r.genotype ? r.genotype->toPython() : "(none yet)") << "\n";

    const auto issues = db.issues(r.id);
    if (!issues.empty()) {
        out << "\nissues\n";
        for (const auto& i : issues)
            out << "  ["
                << (i.severity == Severity::Error     ? "error"
                    : i.severity == Severity::Warning ? "warning"
                                                      : "info")
                << "] epoch " << i.epoch << " " << i.code << ": " << i.message << "\n";
    }
    const auto checkpoints = db.checkpoints(r.id);
    if (!checkpoints.empty()) {
        out << "\ncheckpoints\n";
        for (const auto& c : checkpoints)
            out << "  " << padded(store::checkpointKindName(c.kind), 5) << "epoch " << c.info.epoch
                << "  " << c.info.path << "\n";
    }
}

void deleteRun(const RunsOptions& o)
{
    auto db = store::RunStore::openExisting(databasePath(o));
    const auto files = db.deleteRun(o.id);
    std::cout << "deleted run " << o.id << "\n";
    for (const auto& path : store::removeRunFiles(files))
        std::cout << "removed " << path << "\n";
}

// Runs the exported model.py with Python's torch to write model.ts / model.onnx.
void convertModel(const RunsOptions& o)
{
    const fs::path dir(o.to);
    if (!fs::exists(dir / "example_logits.pt"))
        throw Error("--torchscript/--onnx: run " + std::to_string(o.id) +
                    " has no trained weights to convert (only trainings with a checkpoint do)");
    std::vector<std::string> argv = {o.python, "model.py"};
    if (o.torchscript) argv.insert(argv.end(), {"--torchscript", "model.ts"});
    if (o.onnx) argv.insert(argv.end(), {"--onnx", "model.onnx"});
    const auto r = suite::runProcess(argv, dir);
    if (r.exitCode != 0)
        throw Error(o.python + " model.py (in " + o.to + ") failed with exit code " +
                    std::to_string(r.exitCode) + ": " + suite::outputTail(r.output) +
                    " (needs PyTorch for that interpreter; choose another with --python)");
    std::cout << r.output;
}

void exportRun(const RunsOptions& o)
{
    auto db = store::RunStore::openExisting(databasePath(o));
    const auto result = darts::exportRunBundle(db, o.id, o.to, o.force);
    for (const auto& f : result.written)
        std::cout << f << "\n";
    for (const auto& n : result.notes)
        std::cerr << "note: " << n << "\n";
    if (o.torchscript || o.onnx) convertModel(o);
}

} // namespace

void addRunsCommand(CLI::App& root, int& exitCode)
{
    auto o = std::make_shared<RunsOptions>();
    auto* runs = root.add_subcommand(
        "runs", "List, show, tag, annotate, resume, delete and export the runs of a workspace");
    runs->require_subcommand(1);
    addResumeCommand(*runs, exitCode);
    auto addDb = [&](CLI::App* cmd) { cmd->add_option("--db", o->db, kDbHelp); };
    auto addId = [&](CLI::App* cmd) { cmd->add_option("id", o->id, "Run id")->required(); };

    addRunsListCommands(*runs, exitCode);

    auto* show = runs->add_subcommand("show", "Config, per-epoch table, genotype, status, issues");
    addId(show);
    addDb(show);
    show->add_flag("--json", o->json, "Print JSON");
    show->add_flag("--config", o->config,
                   "Print a TOML config file that reruns the run (`supernet search --config F`)");
    show->callback([o, &exitCode] {
        showRun(*o);
        exitCode = 0;
    });

    auto* del = runs->add_subcommand("delete", "Delete a run, its checkpoints and its folder");
    addId(del);
    addDb(del);
    del->callback([o, &exitCode] {
        deleteRun(*o);
        exitCode = 0;
    });

    auto* exp = runs->add_subcommand(
        "export", "Write a run's genotype, cell drawings, metrics, config, provenance and its "
                  "network (model.py; a training's weights)");
    addId(exp);
    addDb(exp);
    exp->add_option("--to", o->to, "Target folder")->required();
    exp->add_flag("--force", o->force, "Overwrite existing files");
    exp->add_flag("--torchscript", o->torchscript,
                  "Also write model.ts (a traced TorchScript module; runs model.py with --python)");
    exp->add_flag("--onnx", o->onnx, "Also write model.onnx (runs model.py with --python)");
    exp->add_option("--python", o->python, "Python interpreter with torch for --torchscript/--onnx")
        ->capture_default_str();
    exp->callback([o, &exitCode] {
        exportRun(*o);
        exitCode = 0;
    });
}

} // namespace wb::cli
