#include "result_json.h"

#include <cstdio>
#include <sstream>

namespace wb::cli {
namespace {

using nlohmann::json;

json epochsJson(const std::vector<darts::EpochMetrics>& epochs)
{
    auto out = json::array();
    for (const auto& e : epochs)
        out.push_back({{"epoch", e.epoch},
                       {"train_loss", e.trainLoss},
                       {"train_acc", e.trainAcc},
                       {"val_loss", e.valLoss},
                       {"val_acc", e.valAcc},
                       {"lr", e.lr},
                       {"seconds", e.seconds}});
    return out;
}

json issuesJson(const std::vector<darts::Issue>& issues)
{
    auto out = json::array();
    for (const auto& i : issues) {
        const char* level = i.severity == darts::Severity::Error     ? "error"
                            : i.severity == darts::Severity::Warning ? "warning"
                                                                     : "info";
        out.push_back({{"severity", level}, {"code", i.code}, {"message", i.message},
                       {"epoch", i.epoch}});
    }
    return out;
}

json datasetJson(const darts::DatasetSummary& d)
{
    return {{"path", d.path},         {"format", d.format},
            {"fingerprint", d.fingerprint}, {"classes", d.classNames},
            {"class_counts", d.classCounts}, {"channels", d.channels},
            {"image_size", d.imageSize},     {"train_images", d.trainImages},
            {"val_images", d.valImages},     {"test_images", d.testImages}};
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
    json j = {{"status", darts::statusName(r.status)},
              {"config", json::parse(r.config.toJson())},
              {"dataset", datasetJson(r.dataset)},
              {"epochs", epochsJson(r.epochs)},
              {"issues", issuesJson(r.issues)}};
    if (!r.error.empty()) j["error"] = r.error;
    if (!r.genotype.normal.empty()) {
        j["genotype"] = r.genotype.toPython();
        j["genotype_json"] = json::parse(r.genotype.toJson());
        j["alphas"] = {{"epoch", a.epoch},
                       {"ops", a.ops},
                       {"normal", matrix(a.normal, a.edges)},
                       {"reduce", matrix(a.reduce, a.edges)}};
        j["signals"] = {{"skip_normal", s.skipNormal},
                        {"skip_reduce", s.skipReduce},
                        {"param_free_normal", s.paramFreeNormal},
                        {"param_free_reduce", s.paramFreeReduce},
                        {"entropy_normal", s.entropyNormal},
                        {"entropy_reduce", s.entropyReduce}};
    }
    return j;
}

nlohmann::json toJson(const darts::TrainResult& r)
{
    json j = {{"status", darts::statusName(r.status)},
              {"config", json::parse(r.config.toJson())},
              {"dataset", datasetJson(r.dataset)},
              {"epochs", epochsJson(r.epochs)},
              {"genotype", r.config.genotype.toPython()},
              {"parameters", r.parameters},
              {"issues", issuesJson(r.issues)}};
    if (!r.error.empty()) j["error"] = r.error;
    if (r.status != darts::RunStatus::Failed) {
        j["test_loss"] = r.testLoss;
        j["test_acc"] = r.testAcc;
    }
    return j;
}

std::string summary(const darts::SearchResult& r)
{
    std::ostringstream out;
    out << "status: " << darts::statusName(r.status) << '\n';
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
            << s.entropyNormal << '\n';
    }
    return out.str();
}

std::string summary(const darts::TrainResult& r)
{
    std::ostringstream out;
    out << "status: " << darts::statusName(r.status) << '\n';
    if (!r.error.empty()) out << "error: " << r.error << '\n';
    out << "parameters: " << r.parameters << '\n';
    epochTable(out, r.epochs);
    if (r.status != darts::RunStatus::Failed)
        out << "test: loss " << r.testLoss << ", accuracy " << r.testAcc << " on "
            << r.dataset.testImages << " held-out images\n";
    return out.str();
}

int exitCode(darts::RunStatus status)
{
    switch (status) {
    case darts::RunStatus::Done: return 0;
    case darts::RunStatus::Cancelled: return 130;  // the shell's code for "ended by SIGINT"
    default: return 1;
    }
}

} // namespace wb::cli
