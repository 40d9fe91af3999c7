#pragma once

#include <CLI/CLI.hpp>

namespace wb::cli {

// Each adds its subcommand to `root`; when that subcommand is chosen its callback runs the job
// and stores the process exit code in `exitCode`.
void addSearchCommand(CLI::App& root, int& exitCode);
void addTrainCommand(CLI::App& root, int& exitCode);
void addBenchCommand(CLI::App& root, int& exitCode);

} // namespace wb::cli
