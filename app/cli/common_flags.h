#pragma once

#include "wb/darts/search_config.h"

#include <CLI/CLI.hpp>

#include <string>

namespace wb::cli {

// Flags shared by the jobs that read a dataset and train (search, train). Strings that need
// parsing are collected here and applied by finish().
class CommonFlags {
public:
    void add(CLI::App& cmd, darts::DataConfig& data, darts::RuntimeConfig& runtime,
             darts::WeightOptConfig& weights);
    void finish(darts::DataConfig& data) const;
    bool json = false;

private:
    std::string m_format = "auto";
};

} // namespace wb::cli
