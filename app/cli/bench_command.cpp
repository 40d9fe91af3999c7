#include "commands.h"

#include "wb/darts/bench.h"

#include <iostream>
#include <memory>

namespace wb::cli {

void addBenchCommand(CLI::App& root, int& exitCode)
{
    auto* bench = root.add_subcommand("bench", "Benchmarks printing speed and memory figures");
    bench->require_subcommand(1);

    auto o = std::make_shared<darts::SearchBenchConfig>();
    auto json = std::make_shared<bool>(false);
    auto& s = o->search;
    auto* cmd = bench->add_subcommand(
        "search", "Seconds per search iteration on random data (default: C=8, 5 layers, 4 nodes, "
                  "batch 64, 28x28x1, 10 classes, first order)");
    cmd->add_option("--channels", s.channels)->capture_default_str();
    cmd->add_option("--layers", s.layers)->capture_default_str();
    cmd->add_option("--nodes", s.nodes)->capture_default_str();
    cmd->add_option("--batch", s.batchSize)->capture_default_str();
    cmd->add_option("--order", s.order)->capture_default_str();
    cmd->add_option("--image-size", o->imageSize)->capture_default_str();
    cmd->add_option("--image-channels", o->imageChannels)->capture_default_str();
    cmd->add_option("--classes", o->classes)->capture_default_str();
    cmd->add_option("--threads", s.runtime.threads, "0 = one per core")->capture_default_str();
    cmd->add_option("--iterations", o->iterations, "Timed iterations")->capture_default_str();
    cmd->add_option("--warmup", o->warmup, "Untimed iterations first")->capture_default_str();
    cmd->add_option("--seed", s.runtime.seed)->capture_default_str();
    cmd->add_flag("!--no-channels-last", s.runtime.channelsLast, "Use contiguous NCHW tensors");
    cmd->add_flag("--json", *json, "Print one JSON object");
    cmd->callback([o, json, &exitCode] {
        const auto r = darts::benchSearch(*o);
        const auto& s = o->search;
        if (*json) {
            std::cout << r.toJson() << std::endl;
        } else {
            std::cout << "bench search: C=" << s.channels << " layers=" << s.layers
                      << " nodes=" << s.nodes << " batch=" << s.batchSize << " input="
                      << o->imageSize << "x" << o->imageSize << "x" << o->imageChannels
                      << " order=" << s.order
                      << " memory=" << (s.runtime.channelsLast ? "channels_last" : "contiguous")
                      << " iterations=" << o->iterations << "\n"
                      << r.report();
        }
        exitCode = 0;
    });
}

} // namespace wb::cli
