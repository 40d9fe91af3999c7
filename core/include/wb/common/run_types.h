#pragma once

#include <string>
#include <vector>

// What every kind of run reports, whatever its area (search, training, distances, the queue):
// its status, the problems it ran into and the dataset it loaded.
namespace wb {

enum class RunStatus { Running, Done, Cancelled, Failed, Interrupted };
std::string statusName(RunStatus status);
// As shown to users: a run that finished early by its own rule (`--stop-on`, the reason in
// `stopReason`) is "stopped"; otherwise statusName(status).
std::string statusName(RunStatus status, const std::string& stopReason);

enum class Severity { Info, Warning, Error };

struct Issue {
    Severity severity = Severity::Warning;
    std::string code; // short stable key, e.g. "collapse.skip", "loss.nan", "data.skipped"
    std::string message;
    int epoch = 0;
};

// The dataset a job loaded, once loading and splitting succeeded.
struct DatasetSummary {
    std::string path;
    std::string format;
    std::string fingerprint;
    std::vector<std::string> classNames;
    std::vector<int> classCounts;
    int channels = 0;
    int imageSize = 0;
    int trainImages = 0;
    int valImages = 0;
    int testImages = 0;
};

} // namespace wb
