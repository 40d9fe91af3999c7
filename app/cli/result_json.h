#pragma once

#include "wb/darts/search.h"

#include <nlohmann/json.hpp>

#include <string>

namespace wb::cli {

// The documented --json shapes: status, config, dataset, epochs, genotype (DARTS literal),
// genotype_json, alphas, signals, issues, error; train adds test_loss, test_acc, parameters.
nlohmann::json toJson(const darts::SearchResult& r);
nlohmann::json toJson(const darts::TrainResult& r);

// Plain-text summaries for a terminal.
std::string summary(const darts::SearchResult& r);
std::string summary(const darts::TrainResult& r);

int exitCode(RunStatus status);

} // namespace wb::cli
