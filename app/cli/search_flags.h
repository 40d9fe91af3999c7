#pragma once

#include "wb/darts/search_config.h"

#include <CLI/CLI.hpp>

namespace wb::cli {

// The supernet and bilevel-optimisation flags of every command that searches (search, pretrain,
// transfer, experiment): --channels, --layers, --nodes, --primitives, --batch, --epochs, ...
void addSearchFlags(CLI::App& cmd, darts::SearchConfig& c);

} // namespace wb::cli
