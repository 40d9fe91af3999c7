#pragma once

// What the workspace keeps for supernet transfer: the zoo of pretrained supernets, the link from
// a warm-started run to its source, and paired experiments grouping their runs.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wb::store {

// One dataset a zoo supernet was searched on, as it was loaded for that search.
struct ZooSource {
    std::string name; // short label (the folder name unless given)
    std::string path;
    std::string fingerprint; // of the dataset as searched (size and channel conversion included)
    int classes = 0;
    int channels = 0;
    int imageSize = 0;
};

// A pretrained supernet: a finished search run and its last checkpoint.
struct ZooEntry {
    std::int64_t id = 0;
    std::string name;
    std::int64_t runId = 0;
    double createdAt = 0;
    std::vector<ZooSource> sources; // several for a multi-dataset supernet (head k = source k)
    std::string searchConfigJson;   // the run's SearchConfig: its search space
    std::string checkpoint;
    std::string checkpointSha256;
    std::optional<double> valAcc; // final supernet val accuracy (mean over heads)
    int inChannels() const { return sources.empty() ? 0 : sources.front().channels; }
    int classes() const { return sources.empty() ? 0 : sources.front().classes; }
    bool multi() const { return sources.size() > 1; }
};

// How a warm-started run chose its source.
struct TransferRecord {
    std::int64_t runId = 0;
    std::optional<std::int64_t> zooId; // empty once the entry was removed from the zoo
    std::string zooName;
    std::string mode;               // "auto", "random" or "id"
    std::optional<double> distance; // OTDD target -> chosen source, when computed
    std::string rankingJson;        // [{"zoo_id", "name", "distance"}...], nearest first
};

// Where an experiment cell stands: pending -> searching -> training -> done, or failed from
// any state (with the reason). Stored by name.
enum class CellState { Pending, Searching, Training, Done, Failed };
std::string cellStateName(CellState state);
// Throws wb::Error for a name this build does not know.
CellState parseCellState(const std::string& name);

// One cell of a paired experiment: a target x seed x arm and the runs that answer it.
struct ExperimentCell {
    std::string target; // dataset path
    std::uint64_t seed = 0;
    std::string arm; // scratch | ot | random | multi
    CellState state = CellState::Pending;
    std::optional<std::int64_t> searchRunId;
    std::optional<std::int64_t> trainRunId;
    std::optional<std::int64_t> zooId;
    std::string source; // zoo entry name of the warm start ("" for scratch)
    std::optional<double> distance;
    std::optional<double> testAcc; // of the retrained derived cell
    double seconds = 0;            // search + retraining wall time
    std::string error;
};

struct ExperimentRecord {
    std::int64_t id = 0;
    double createdAt = 0;
    std::string specJson; // what was asked: targets, arms, seeds, budgets, search flags
    std::string status;   // running | done | failed | cancelled
    std::string outDir;
    std::vector<ExperimentCell> cells;
};

} // namespace wb::store
