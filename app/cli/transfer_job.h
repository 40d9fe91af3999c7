#pragma once

#include "wb/common/run_control.h"
#include "wb/darts/search_config.h"
#include "wb/ot/distance.h"
#include "wb/store/run_store.h"
#include "wb/transfer/source_selection.h"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

namespace wb::cli {

// The OTDD flags of the commands that rank zoo sources (transfer, experiment).
struct DistanceFlags {
    std::string embed = "pixels";
    std::string inner = "exact";
    ot::DistanceConfig config;
    void add(CLI::App& cmd);
    // The settings, with `auto` and `supernet:` embedders resolved in `db`; throws wb::Error on
    // a bad value.
    ot::DistanceConfig finish(store::RunStore& db) const;
};

// Chooses the source (`how`: auto | random | zoo id), sets config.warmStart and prints the
// ranking on stderr. Throws wb::Error when nothing can be chosen.
transfer::SourceChoice prepareTransfer(const std::string& dbPath, const std::string& how,
                                       darts::SearchConfig& config, const DistanceFlags& distance,
                                       bool keepHead, RunControl& control);

// Links a warm-started run to its source in the store.
void recordTransferOf(const std::string& dbPath, std::int64_t runId,
                      const transfer::SourceChoice& choice);

} // namespace wb::cli
