// `supernet suite build|preview`: the offline dataset suite (issue 5) and its contact sheets.

#include "commands.h"
#include "interrupt.h"

#include "wb/common/error.h"
#include "wb/suite/contact_sheet.h"
#include "wb/suite/image.h"
#include "wb/suite/suite.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

namespace wb::cli {

namespace {

struct BuildOptions {
    std::string out;
    std::string cache;
    std::vector<std::string> only;
    std::uint64_t seed = 1;
};

struct PreviewOptions {
    std::string dataset;
    std::string out;
    suite::SheetOptions sheet;
};

std::string megabytes(std::uintmax_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MB", double(bytes) / 1e6);
    return text;
}

} // namespace

void addSuiteCommand(CLI::App& root, int& exitCode)
{
    auto* suiteCommand = root.add_subcommand(
        "suite", "The offline dataset suite: real, varied datasets built from Debian packages "
                 "(no dataset download needed)");
    suiteCommand->require_subcommand(1);

    std::string ids;
    for (const suite::SuiteEntry& entry : suite::suiteEntries())
        ids += "\n  " + entry.id + "  " + entry.name + " (" + entry.description + ")";
    auto b = std::make_shared<BuildOptions>();
    auto* build = suiteCommand->add_subcommand(
        "build",
        "Fetch the source packages into a cache (apt-get download + dpkg-deb -x; nothing is "
        "installed) and write each dataset in Meta-Album layout: "
        "OUT/<ID>/labels.csv, images/*.png (32x32 RGB), info.json, ATTRIBUTION.txt. Datasets:" +
            ids);
    build->add_option("--out", b->out, "Suite folder")->required();
    build->add_option("--only", b->only, "Dataset ids to build (default: all)")->delimiter(',');
    build->add_option("--cache", b->cache,
                      "Package cache (default: $XDG_CACHE_HOME/supernet-workbench/suite)");
    build->add_option("--seed", b->seed, "Chooses classes and images")->capture_default_str();
    build->callback([b, &exitCode] {
        suite::SuiteOptions options;
        options.outDir = b->out;
        options.cacheDir = b->cache;
        options.only = b->only;
        options.seed = b->seed;
        options.log = [](const std::string& line) { std::cerr << line << std::endl; };
        // SIGINT/SIGTERM: the dataset being built is finished, the rest are skipped.
        RunControl control;
        InterruptGuard guard(control);
        options.control = &control;
        const auto start = std::chrono::steady_clock::now();
        const std::vector<suite::DatasetOutcome> outcomes = suite::buildSuite(options);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        int written = 0;
        std::uintmax_t bytes = 0;
        std::cout << "id   classes  images/class  size      seconds  result\n";
        for (const suite::DatasetOutcome& outcome : outcomes) {
            char line[160];
            std::snprintf(line, sizeof line, "%-4s %7d  %12d  %-8s  %7.1f  ", outcome.id.c_str(),
                          outcome.classes, outcome.imagesPerClass,
                          outcome.written ? megabytes(outcome.bytes).c_str() : "-",
                          outcome.seconds);
            std::cout << line << (outcome.written ? "written" : "SKIPPED: " + outcome.message)
                      << "\n";
            written += outcome.written;
            bytes += outcome.bytes;
        }
        char total[120];
        std::snprintf(total, sizeof total, "%d of %zu datasets written, %s, %.1f s\n", written,
                      outcomes.size(), megabytes(bytes).c_str(), seconds);
        std::cout << total;
        // 1 (partly failed): some datasets were skipped; the others are complete and usable.
        exitCode = control.stopRequested()           ? guard.cancelledExitCode()
                   : written == int(outcomes.size()) ? 0
                                                     : 1;
    });

    auto p = std::make_shared<PreviewOptions>();
    auto* preview = suiteCommand->add_subcommand(
        "preview",
        "Write a contact sheet of a dataset (one row per class) to check it at a glance");
    preview->add_option("dataset", p->dataset, "Dataset folder (e.g. SUITE/GRK; any format)")
        ->required();
    preview->add_option("--out", p->out, "PNG file to write")->required();
    preview->add_option("--columns", p->sheet.columns, "Images per class")->capture_default_str();
    preview->add_option("--scale", p->sheet.scale, "Pixel magnification")->capture_default_str();
    preview->add_option("--font", p->sheet.fontFile, "Font for the labels (default: DejaVu Sans)");
    preview->callback([p, &exitCode] {
        const suite::Image sheet = suite::contactSheet(p->dataset, p->sheet);
        suite::writePng(p->out, sheet);
        std::cout << p->out << ": " << sheet.width << "x" << sheet.height << std::endl;
        exitCode = 0;
    });
}

} // namespace wb::cli
