#pragma once

#include <CLI/CLI.hpp>

namespace wb::cli {

// Each adds its subcommand to `root`; when that subcommand is chosen its callback runs the job
// and stores the process exit code in `exitCode`.
void addSearchCommand(CLI::App& root, int& exitCode);
void addTrainCommand(CLI::App& root, int& exitCode);
void addBenchCommand(CLI::App& root, int& exitCode);
// `bench queue`, added to the `bench` command.
void addQueueBench(CLI::App& bench, int& exitCode);
// `runs list|show|tag|note|resume|delete|export` over the workspace database (--db FILE).
void addRunsCommand(CLI::App& root, int& exitCode);
// `runs list|tag|note`, added to the `runs` command.
void addRunsListCommands(CLI::App& runs, int& exitCode);
// `runs resume ID`, added to the `runs` command.
void addResumeCommand(CLI::App& runs, int& exitCode);
// `distance --data A --data B ...`: the OTDD matrix, cached in the workspace database.
void addDistanceCommand(CLI::App& root, int& exitCode);
// `suite build|preview`: the offline dataset suite (Meta-Album folders from Debian packages).
void addSuiteCommand(CLI::App& root, int& exitCode);

// `pretrain` and `zoo list|add|remove`: the zoo of pretrained supernets.
void addZooCommands(CLI::App& root, int& exitCode);
// `transfer --data TARGET --source auto|random|ID`: a warm-started search.
void addTransferCommand(CLI::App& root, int& exitCode);
// `experiment --targets ...`: paired scratch / warm-start arms over seeds, resumable.
void addExperimentCommand(CLI::App& root, int& exitCode);
// `workspace migrate|copy`: schema upgrades (the only way on a PostgreSQL workspace) and
// copies between backends.
void addWorkspaceCommand(CLI::App& root, int& exitCode);
// `worker`, `queue list|cancel|retry` and `workers`: the job queue shared by many machines.
void addQueueCommands(CLI::App& root, int& exitCode);
// `genotype diff A B`: an isomorphism-aware comparison of two cells.
void addGenotypeCommand(CLI::App& root, int& exitCode);
// `completion bash`: the shell completion script of every command and flag.
void addCompletionCommand(CLI::App& root, int& exitCode);

} // namespace wb::cli
