#pragma once

#include "wb/common/run_control.h"
#include "wb/darts/search_config.h"
#include "wb/transfer/distance_settings.h"
#include "wb/transfer/source_selection.h"

#include <CLI/CLI.hpp>

#include <string>

namespace wb::cli {

// The OTDD flags of the commands that rank zoo sources (transfer, experiment).
struct DistanceFlags {
    transfer::DistanceSettings settings;
    void add(CLI::App& cmd);
};

// Distances of a ranking take seconds each: warnings are all it prints while they run.
class QuietOtProgress : public ot::OtObserver {
public:
    void onIssue(const Issue& issue) override;
};

// Prints a source ranking on stderr (and the line naming an `auto` embedder's choice).
void printRanking(const transfer::SourceChoice& choice, const std::string& note);

// Chooses the warm-start source (`how`: auto | random | zoo id) in `dbPath`, sets
// config.warmStart and prints the ranking. Throws wb::Error when nothing can be chosen.
transfer::SourceChoice chooseSource(const std::string& dbPath, const std::string& how,
                                    darts::SearchConfig& config, const DistanceFlags& distance,
                                    bool keepHead, RunControl& control);

} // namespace wb::cli
