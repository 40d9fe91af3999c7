#pragma once

#include "wb/common/run_control.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace wb::suite {

// One dataset of the offline suite.
struct SuiteEntry {
    std::string id; // "FSH", "DIG", "GRK", "CYR", "ARB", "KAN", "EMO", "TEX"
    std::string name;
    std::string description;
};
const std::vector<SuiteEntry>& suiteEntries();

struct SuiteOptions {
    std::filesystem::path outDir;
    std::filesystem::path cacheDir; // empty: defaultCacheDir()
    std::uint64_t seed = 1;
    std::vector<std::string> only;               // dataset ids; empty: all
    std::function<void(const std::string&)> log; // progress lines; called on the caller's thread
    // When set, a stop request ends the build after the dataset being built; the datasets not
    // built yet are reported as cancelled.
    const RunControl* control = nullptr;
};

struct DatasetOutcome {
    std::string id;
    bool written = false;
    std::string message; // why it was skipped, or a one-line summary
    int classes = 0;
    int imagesPerClass = 0;
    double seconds = 0.0;
    std::uintmax_t bytes = 0; // on disk, written datasets only
};

// $XDG_CACHE_HOME/supernet-workbench/suite, else ~/.cache/supernet-workbench/suite.
std::filesystem::path defaultCacheDir();

// Builds the requested datasets one after the other, each into outDir/<ID>. A dataset whose
// sources cannot be fetched or read, or that would be partial, is skipped with a message and
// nothing is written for it; the others still build. Throws wb::Error only for invalid options
// (an unknown id, an unusable output folder). Synchronous, on the caller's thread.
std::vector<DatasetOutcome> buildSuite(const SuiteOptions& options);

} // namespace wb::suite
