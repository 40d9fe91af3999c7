#pragma once

// Reading a --config file's top-level keys (config_toml.cpp, on toml++; a build without toml++
// refuses config files with the reason, config_toml_missing.cpp).

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace wb::cli {

// One key's value as command-line words ("20", "skip_connect", "true"), or what is wrong with it.
struct ConfigValue {
    bool isTable = false;
    std::optional<bool> boolean; // set for true/false
    std::vector<std::string> words;
    std::string error; // not a plain value or an array of them
};

// The file's top-level keys in file order. Throws wb::Error naming the file (with line and
// column for a syntax error).
std::vector<std::pair<std::string, ConfigValue>> readConfigFile(const std::string& file);

} // namespace wb::cli
