#include "result_json.h"

#include "wb/store/json_shapes.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace wb::cli {
namespace {

using nlohmann::json;

// What a search and a training result share, in the run shape of wb/store/json_shapes.h.
json resultJson(const char* kind, const std::string& status, const std::string& config,
                const DatasetSummary& dataset, const std::vector<darts::EpochMetrics>& epochs,
                const std::vector<Issue>& issues)
{
    auto d = store::datasetJson(dataset);
    d["classes"] = dataset.classNames; // alias of class_names until the next release
    const auto list = store::epochsJson(epochs);
    return {{"schema_version", store::kJsonSchemaVersion},
            {"kind", kind},
            {"status", status},
            {"config", json::parse(config)},
            {"dataset", d},
            {"epoch_count", epochs.size()},
            {"epoch_metrics", list},
            {"epochs", list}, // alias of epoch_metrics until the next release
            {"issues", store::issuesJson(issues)}};
}

json matrix(const std::vector<float>& w, int rows)
{
    auto out = json::array();
    const std::size_t cols = rows ? w.size() / rows : 0;
    for (int r = 0; r < rows; ++r)
        out.push_back(std::vector<float>(w.begin() + r * cols, w.begin() + (r + 1) * cols));
    return out;
}

void epochTable(std::ostringstream& out, const std::vector<darts::EpochMetrics>& epochs)
{
    if (epochs.empty()) return;
    out << "epoch  train_loss  train_acc  val_loss  val_acc  seconds\n";
    char line[128];
    for (const auto& e : epochs) {
        std::snprintf(line, sizeof line, "%5d  %10.4f  %9.4f  %8.4f  %7.4f  %7.1f\n", e.epoch,
                      e.trainLoss, e.trainAcc, e.valLoss, e.valAcc, e.seconds);
        out << line;
    }
}

} // namespace

nlohmann::json toJson(const darts::SearchResult& r)
{
    const auto& a = r.alphas;
    const auto& s = a.signals;
    json j = resultJson("search", statusName(r.status, r.stopReason), r.config.toJson(), r.dataset,
                        r.epochs, r.issues);
    j["stop_reason"] = r.stopReason.empty() ? json(nullptr) : json(r.stopReason);
    if (!r.error.empty()) j["error"] = r.error;
    if (!r.genotype.normal.empty()) {
        j["genotype"] = r.genotype.toPython();
        j["genotype_json"] = json::parse(r.genotype.toJson());
        j["alphas"] = {{"epoch", a.epoch},
                       {"ops", a.ops},
                       {"normal", matrix(a.normal, a.edges)},
                       {"reduce", matrix(a.reduce, a.edges)}};
        if (!a.edgeNormal.empty()) {
            j["alphas"]["edge_normal"] = a.edgeNormal;
            j["alphas"]["edge_reduce"] = a.edgeReduce;
        }
        j["signals"] = {{"skip_normal", s.skipNormal},
                        {"skip_reduce", s.skipReduce},
                        {"param_free_normal", s.paramFreeNormal},
                        {"param_free_reduce", s.paramFreeReduce},
                        {"entropy_normal", s.entropyNormal},
                        {"entropy_reduce", s.entropyReduce},
                        {"margin_normal", s.marginNormal},
                        {"margin_reduce", s.marginReduce},
                        {"undecided_normal", s.undecidedNormal},
                        {"undecided_reduce", s.undecidedReduce},
                        {"hessian_eigenvalue", store::numberOrNull(s.hessianEigenvalue)},
                        {"hessian_seconds", store::numberOrNull(s.hessianSeconds)}};
    }
    return j;
}

nlohmann::json toJson(const darts::TrainResult& r)
{
    json j =
        resultJson("train", statusName(r.status), r.config.toJson(), r.dataset, r.epochs, r.issues);
    j["genotype"] = r.config.genotype.toPython();
    j["parameters"] = r.parameters;
    if (!r.error.empty()) j["error"] = r.error;
    if (r.status != RunStatus::Failed) {
        j["test_loss"] = r.testLoss;
        j["test_acc"] = r.testAcc;
    }
    return j;
}

std::string summary(const darts::SearchResult& r)
{
    std::ostringstream out;
    out << "status: " << statusName(r.status, r.stopReason) << '\n';
    if (!r.stopReason.empty()) out << "stopped early: " << r.stopReason << '\n';
    if (!r.error.empty()) out << "error: " << r.error << '\n';
    if (!r.dataset.fingerprint.empty())
        out << "dataset: " << r.dataset.path << " (" << r.dataset.format << ", "
            << r.dataset.classNames.size() << " classes, " << r.dataset.trainImages << "/"
            << r.dataset.valImages << "/" << r.dataset.testImages << " train/val/test)\n";
    epochTable(out, r.epochs);
    if (!r.genotype.normal.empty()) {
        const auto& s = r.alphas.signals;
        out << "genotype: " << r.genotype.toPython() << '\n'
            << "collapse signals: skip normal " << s.skipNormal << ", reduce " << s.skipReduce
            << "; parameter-free mass normal " << s.paramFreeNormal << "; entropy normal "
            << s.entropyNormal << "; top-two margin normal " << s.marginNormal << " ("
            << s.undecidedNormal << " of " << r.genotype.normal.size() << " edges undecided)";
        if (std::isfinite(s.hessianEigenvalue))
            out << "; Hessian eigenvalue " << s.hessianEigenvalue << " (" << s.hessianSeconds
                << " s)";
        out << '\n';
    }
    return out.str();
}

std::string summary(const darts::TrainResult& r)
{
    std::ostringstream out;
    out << "status: " << statusName(r.status) << '\n';
    if (!r.error.empty()) out << "error: " << r.error << '\n';
    out << "parameters: " << r.parameters << '\n';
    epochTable(out, r.epochs);
    if (r.status != RunStatus::Failed)
        out << "test: loss " << r.testLoss << ", accuracy " << r.testAcc << " on "
            << r.dataset.testImages << " held-out images\n";
    return out.str();
}

int exitCode(RunStatus status)
{
    switch (status) {
    case RunStatus::Done:
        return 0;
    case RunStatus::Cancelled:
        return 130; // the shell's code for "ended by SIGINT"
    default:
        return 1;
    }
}

} // namespace wb::cli
