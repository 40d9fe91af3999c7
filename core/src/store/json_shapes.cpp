#include "wb/store/json_shapes.h"

#include <cmath>

using nlohmann::json;

namespace wb::store {

json numberOrNull(double value)
{
    return std::isfinite(value) ? json(value) : json(nullptr);
}

json epochJson(const darts::EpochMetrics& e)
{
    return {{"epoch", e.epoch},
            {"train_loss", numberOrNull(e.trainLoss)},
            {"train_acc", numberOrNull(e.trainAcc)},
            {"val_loss", numberOrNull(e.valLoss)},
            {"val_acc", numberOrNull(e.valAcc)},
            {"lr", numberOrNull(e.lr)},
            {"seconds", numberOrNull(e.seconds)}};
}

json epochsJson(const std::vector<darts::EpochMetrics>& epochs)
{
    auto out = json::array();
    for (const auto& e : epochs)
        out.push_back(epochJson(e));
    return out;
}

json issueJson(const Issue& i)
{
    const char* level = i.severity == Severity::Error     ? "error"
                        : i.severity == Severity::Warning ? "warning"
                                                          : "info";
    return {{"severity", level}, {"code", i.code}, {"message", i.message}, {"epoch", i.epoch}};
}

json issuesJson(const std::vector<Issue>& issues)
{
    auto out = json::array();
    for (const auto& i : issues)
        out.push_back(issueJson(i));
    return out;
}

json datasetJson(const DatasetSummary& d)
{
    return {{"path", d.path},
            {"format", d.format},
            {"fingerprint", d.fingerprint},
            {"class_names", d.classNames},
            {"class_counts", d.classCounts},
            {"channels", d.channels},
            {"image_size", d.imageSize},
            {"train_images", d.trainImages},
            {"val_images", d.valImages},
            {"test_images", d.testImages}};
}

json runSummaryJson(const RunSummary& r)
{
    return {{"schema_version", kJsonSchemaVersion},
            {"id", r.id},
            {"kind", r.kind},
            {"role", r.role},
            {"status", statusName(r.status, r.stopReason)},
            {"seed", r.seed},
            {"dataset_path", r.datasetPath},
            {"dataset_fingerprint", r.datasetFingerprint},
            {"epoch_count", r.epochs},
            {"epochs", r.epochs}, // alias of epoch_count until the next release
            {"best_val_acc", r.bestValAcc ? json(*r.bestValAcc) : json(nullptr)},
            {"started_at", isoTime(r.startedAt)},
            {"finished_at", r.finishedAt ? json(isoTime(*r.finishedAt)) : json(nullptr)},
            {"seconds", r.seconds},
            {"test_acc", r.testAcc ? json(*r.testAcc) : json(nullptr)},
            {"warm_start", r.warmStart.empty() ? json(nullptr) : json(r.warmStart)},
            {"tags", r.tags},
            {"stop_reason", r.stopReason.empty() ? json(nullptr) : json(r.stopReason)}};
}

json cellJson(const ExperimentCell& c)
{
    const auto optional = [](const auto& v) { return v ? json(*v) : json(nullptr); };
    return {{"target", c.target},
            {"seed", c.seed},
            {"arm", c.arm},
            {"state", cellStateName(c.state)},
            {"search_run_id", optional(c.searchRunId)},
            {"train_run_id", optional(c.trainRunId)},
            {"zoo_id", optional(c.zooId)},
            {"source", c.source},
            {"distance", optional(c.distance)},
            {"test_acc", optional(c.testAcc)},
            {"seconds", c.seconds},
            {"error", c.error}};
}

} // namespace wb::store
