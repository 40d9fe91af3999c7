#pragma once

#include "wb/darts/search_config.h"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace wb::cli {

// Flags shared by the jobs that read a dataset and train (search, train). Strings that need
// parsing are collected here and applied by finish().
class CommonFlags {
public:
    // multiData: --data may be given several times (multi-dataset pretraining).
    void add(CLI::App& cmd, darts::DataConfig& data, darts::RuntimeConfig& runtime,
             darts::WeightOptConfig& weights, bool multiData = false);
    void finish(darts::DataConfig& data) const;
    // Multi-data commands: data.path = the first --data; `more` = the others with data's flags.
    void finish(darts::DataConfig& data, std::vector<darts::DataConfig>& more) const;
    const std::vector<std::string>& dataPaths() const { return m_paths; }
    bool json = false;

private:
    std::string m_format = "auto";
    std::vector<std::string> m_paths;
};

// --amp, shared with `bench search`.
void addAmpOption(CLI::App& cmd, darts::RuntimeConfig& runtime);

} // namespace wb::cli
