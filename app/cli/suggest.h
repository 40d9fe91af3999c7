#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace wb::cli {

// The candidate closest to `word` by edit distance, when it is close enough to be a typo (at most
// a third of the word's length, at least 1).
std::optional<std::string> closest(const std::string& word, const std::vector<std::string>& names);

// Checks the subcommand words of `args` (argv without the program) against `app`'s commands
// before parsing, so a typo gets "unknown command 'serch' (did you mean 'search'?)" rather than
// CLI11's "A subcommand is required". Empty when every command word is known.
std::string unknownCommand(const CLI::App& app, const std::vector<std::string>& args);

// For CLI11's "arguments were not expected" error: the closest option names of the command
// that was being parsed, e.g. "--epoch: did you mean --epochs?".
std::string optionSuggestions(const CLI::App& app, const std::vector<std::string>& args);

} // namespace wb::cli
