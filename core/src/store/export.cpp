#include "wb/store/export.h"

#include "wb/common/atomic_file.h"
#include "wb/common/csv.h"
#include "wb/common/error.h"
#include "wb/common/number_text.h"
#include "wb/render/cell_graph.h"
#include "wb/store/json_shapes.h"
#include "wb/store/run_store.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <tuple>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <utility>

namespace fs = std::filesystem;
using nlohmann::json;
using namespace wb::render;

namespace wb::store {
namespace {

std::string metricsCsv(const std::vector<darts::EpochMetrics>& epochs)
{
    std::string out = "epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds\n";
    for (const auto& e : epochs)
        out += std::to_string(e.epoch) + ',' + shortestText(e.trainLoss) + ',' +
               shortestText(e.trainAcc) + ',' + shortestText(e.valLoss) + ',' +
               shortestText(e.valAcc) + ',' + shortestText(e.lr) + ',' + shortestText(e.seconds) +
               '\n';
    return out;
}

std::string alphasCsv(const std::vector<darts::AlphaSnapshot>& snapshots)
{
    // edge_weight: PC-DARTS' weight of the edge within its node (empty for other variants).
    std::string out = "epoch,cell,edge,node,input,op,weight,edge_weight\n";
    for (const auto& a : snapshots) {
        const std::size_t ops = a.ops.size();
        if (ops == 0) continue;
        for (auto [cell, weights, edgeWeights] : {std::tuple{"normal", &a.normal, &a.edgeNormal},
                                                  std::tuple{"reduce", &a.reduce, &a.edgeReduce}}) {
            // Edges are ordered node by node; node j reads inputs 0..j+1.
            int node = 0, input = 0;
            for (std::size_t edge = 0; edge * ops < weights->size(); ++edge) {
                for (std::size_t k = 0; k < ops && edge * ops + k < weights->size(); ++k)
                    out += std::to_string(a.epoch) + ',' + cell + ',' + std::to_string(edge) + ',' +
                           std::to_string(node) + ',' + std::to_string(input) + ',' +
                           csvField(a.ops[k]) + ',' + shortestText((*weights)[edge * ops + k]) +
                           ',' +
                           (edge < edgeWeights->size() ? shortestText((*edgeWeights)[edge]) : "") +
                           '\n';
                if (++input == node + 2) {
                    ++node;
                    input = 0;
                }
            }
        }
    }
    return out;
}

std::string provenanceJson(const RunDetails& r, const std::vector<CheckpointRecord>& checkpoints)
{
    json dataset = nullptr;
    if (r.dataset) {
        dataset = datasetJson(*r.dataset);
    } else {
        dataset = {{"path", r.datasetPath}, {"fingerprint", nullptr}};
    }
    auto ckpts = json::array();
    for (const auto& c : checkpoints)
        ckpts.push_back({{"kind", checkpointKindName(c.kind)},
                         {"epoch", c.info.epoch},
                         {"path", c.info.path},
                         {"sha256", c.info.sha256},
                         {"val_acc", numberOrNull(c.info.valAcc)}});
    using namespace std::chrono;
    const double now = duration<double>(system_clock::now().time_since_epoch()).count();
    // "sqlite": "3.40.1", or "database": "PostgreSQL 15.18" for a server workspace.
    const char* databaseKey = r.sqliteVersion.starts_with("PostgreSQL") ? "database" : "sqlite";
    json j = {{"run_id", r.id},
              {"kind", r.kind},
              {"status", statusName(r.status)},
              {"error", r.error},
              {"seed", r.seed},
              {"dataset", dataset},
              {"versions",
               {{"app", r.appVersion},
                {"libraries", r.libraryVersions},
                {databaseKey, r.sqliteVersion},
                {"store_schema", kSchemaVersion}}},
              {"host", r.host},
              {"pid", r.pid},
              {"started_at", isoTime(r.startedAt)},
              {"finished_at", r.finishedAt ? json(isoTime(*r.finishedAt)) : json(nullptr)},
              {"epochs", r.epochs},
              {"best_val_acc", r.bestValAcc ? json(*r.bestValAcc) : json(nullptr)},
              {"seconds", r.seconds},
              {"checkpoints", ckpts},
              {"exported_at", isoTime(now)}};
    return j.dump(2) + '\n';
}

std::string configJson(const std::string& stored)
{
    const auto j = json::parse(stored, nullptr, false);
    return j.is_discarded() ? stored : j.dump(2) + '\n';
}

} // namespace

std::string genotypePythonFile(const darts::Genotype& genotype)
{
    return "# A DARTS genotype exported by Supernet Workbench; paste into genotypes.py of the\n"
           "# DARTS reference code, or run this file to print it.\n"
           "from collections import namedtuple\n"
           "\n"
           "Genotype = namedtuple('Genotype', 'normal normal_concat reduce reduce_concat')\n"
           "\n"
           "genotype = " +
           genotype.toPython() +
           "\n"
           "\n"
           "if __name__ == '__main__':\n"
           "    print(genotype)\n";
}

ExportResult exportRun(RunStore& store, std::int64_t runId, const std::string& directory,
                       const ExportOptions& options)
{
    const auto details = store.run(runId); // throws for an unknown id
    ExportResult result;
    result.directory = directory;

    // Build everything in memory first: a render failure writes nothing.
    std::vector<std::pair<std::string, std::string>> files;
    if (details.genotype) {
        const auto& g = *details.genotype;
        files.emplace_back("genotype.json", json::parse(g.toJson()).dump(2) + '\n');
        files.emplace_back("genotype.py", genotypePythonFile(g));
        for (auto cell : {CellType::Normal, CellType::Reduce}) {
            const auto name = cellTypeName(cell);
            const auto dot = cellDot(g, cell);
            files.emplace_back(name + ".dot", dot);
            if (!canRenderDot()) continue;
            files.emplace_back(name + ".svg", renderDot(dot, "svg"));
            files.emplace_back(name + ".png", renderDot(dot, "png"));
        }
        if (!canRenderDot())
            result.notes.push_back("cell drawings (svg, png) left out: this build has no "
                                   "Graphviz; the .dot files render with `dot -Tsvg`");
    } else {
        result.notes.push_back("no genotype yet (no epoch finished): genotype and cell files "
                               "left out");
    }
    files.emplace_back("metrics.csv", metricsCsv(store.epochs(runId)));
    files.emplace_back("alphas.csv", alphasCsv(store.alphas(runId)));
    files.emplace_back("config.json", configJson(details.configJson));
    files.emplace_back("provenance.json", provenanceJson(details, store.checkpoints(runId)));

    const fs::path dir(directory);
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
        throw Error(directory + ": exists and is not a folder");
    std::vector<std::string> names;
    for (const auto& f : files)
        names.push_back(f.first);
    names.insert(names.end(), options.extraFiles.begin(), options.extraFiles.end());
    std::vector<std::string> existing;
    for (const auto& name : names) {
        const auto target = dir / name;
        const auto st = fs::symlink_status(target, ec);
        if (!fs::exists(st)) continue;
        if (fs::is_directory(st)) throw Error(target.string() + ": is a folder; cannot export");
        if (!options.force) existing.push_back(target.string());
    }
    if (!existing.empty()) {
        std::string list = existing.front();
        for (std::size_t i = 1; i < std::min<std::size_t>(existing.size(), 3); ++i)
            list += ", " + existing[i];
        if (existing.size() > 3) list += " and " + std::to_string(existing.size() - 3) + " more";
        throw Error("export: " + list +
                    (existing.size() == 1 ? " already exists" : " already exist") +
                    "; nothing was written (use --force to overwrite)");
    }

    fs::create_directories(dir, ec);
    if (ec) throw Error(directory + ": cannot create the folder: " + ec.message());
    for (const auto& [name, bytes] : files) {
        writeFileAtomically((dir / name).string(), bytes);
        result.written.push_back((dir / name).string());
    }
    return result;
}

} // namespace wb::store
