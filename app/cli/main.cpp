// `supernet`: every headless job of the workbench (search, train, transfer, bench, ...).

#include "commands.h"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv)
{
    CLI::App app{"Supernet Workbench: differentiable NAS with supernet transfer"};
    app.set_version_flag("--version", std::string("supernet ") + WB_VERSION);
    app.require_subcommand(1);
    int exitCode = 0;
    wb::cli::addSearchCommand(app, exitCode);
    wb::cli::addTrainCommand(app, exitCode);
    wb::cli::addBenchCommand(app, exitCode);
    wb::cli::addRunsCommand(app, exitCode);
    wb::cli::addDistanceCommand(app, exitCode);
    wb::cli::addSuiteCommand(app, exitCode);
    wb::cli::addZooCommands(app, exitCode);
    wb::cli::addTransferCommand(app, exitCode);
    wb::cli::addExperimentCommand(app, exitCode);
    wb::cli::addWorkspaceCommand(app, exitCode);
    wb::cli::addQueueCommands(app, exitCode);
    wb::cli::addGenotypeCommand(app, exitCode);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version succeed; every other parser error is a usage error (2), not
        // CLI11's own codes (104, 106, 109, ...). See "Exit codes" in README.md.
        return app.exit(e) == 0 ? 0 : 2;
    } catch (const std::exception& e) { // bad input found while preparing a job
        std::cerr << "supernet: " << e.what() << std::endl;
        return 2;
    }
    return exitCode;
}
