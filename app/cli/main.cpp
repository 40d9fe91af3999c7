// `supernet`: every headless job of the workbench (search, train, transfer, bench, ...).

#include "commands.h"
#include "config_file.h"
#include "suggest.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace {

// `supernet help [COMMAND...]`: the help of the root or of the named command.
void addHelpCommand(CLI::App& app, int& exitCode)
{
    auto path = std::make_shared<std::vector<std::string>>();
    auto* help = app.add_subcommand("help", "Show the help of supernet or of a command");
    help->add_option("command", *path, "A command, e.g. `runs list`");
    help->callback([&app, path, &exitCode] {
        const CLI::App* at = &app;
        std::string usage = app.get_name(); // "supernet runs list": the usage line's name
        for (const auto& word : *path) {
            usage += " " + word;
            const CLI::App* next = nullptr;
            for (const auto* sub : at->get_subcommands([](const CLI::App*) { return true; }))
                if (sub->get_name() == word) next = sub;
            if (!next) {
                std::vector<std::string> names;
                for (const auto* sub : at->get_subcommands([](const CLI::App*) { return true; }))
                    names.push_back(sub->get_name());
                const auto guess = wb::cli::closest(word, names);
                std::cerr << "supernet help: unknown command '" << word << "'"
                          << (guess ? " (did you mean '" + *guess + "'?)" : "") << std::endl;
                exitCode = 2;
                return;
            }
            at = next;
        }
        // The formatter directly: App::help() would describe the selected `help` command.
        std::cout << at->get_formatter()->make_help(at, usage, CLI::AppFormatMode::Normal);
        exitCode = 0;
    });
}

} // namespace

int main(int argc, char** argv)
{
    CLI::App app{"Supernet Workbench: differentiable NAS with supernet transfer"};
    app.name("supernet"); // usage lines show the command, not the path it was started by
    app.set_version_flag("-V,--version", std::string("supernet ") + WB_VERSION);
    app.footer("Exit codes: 0 done; 1 the run failed or partly failed; 2 usage or bad input; "
               "130, 143 cancelled by SIGINT or SIGTERM (the run can be resumed).\n"
               "`supernet help COMMAND` or `supernet COMMAND --help` describes a command.");
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
    wb::cli::addCompletionCommand(app, exitCode);
    addHelpCommand(app, exitCode);
    for (const char* job : {"search", "train", "pretrain", "transfer", "experiment"})
        wb::cli::addConfigOption(*app.get_subcommand(job));
    std::vector<std::string> args(argv + 1, argv + argc);
    if (const auto unknown = wb::cli::unknownCommand(app, args); !unknown.empty()) {
        std::cerr << "supernet: " << unknown << std::endl;
        return 2;
    }
    try {
        args = wb::cli::withConfigFile(app, args);
        std::vector<std::string> reversed(args.rbegin(), args.rend()); // CLI11's order
        app.parse(reversed);
    } catch (const CLI::ExtrasError& e) {
        app.exit(e);
        if (const auto hint = wb::cli::optionSuggestions(app, args); !hint.empty())
            std::cerr << hint << std::endl;
        return 2;
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
