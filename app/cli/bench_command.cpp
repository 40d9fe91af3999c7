#include "commands.h"
#include "common_flags.h"
#include "parallel_flags.h"

#include "wb/common/error.h"

#include "wb/darts/bench.h"
#include "wb/ot/bench.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

namespace wb::cli {
namespace {

// Debian's dataset-fashion-mnist (installed by packaging/install-deps.sh).
constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// This executable, which the benchmarks start again for each case (its own process, so every
// peak RSS figure belongs to that case alone).
std::string selfPath()
{
    char self[4096] = {};
    if (readlink("/proc/self/exe", self, sizeof self - 1) <= 0)
        throw Error("bench: cannot find the supernet executable");
    return self;
}

// The standard output of `command`; a failure to start it or a non-zero exit sets `exitCode`
// to 1.
std::string childOutput(const std::string& command, int& exitCode)
{
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) {
        exitCode = 1;
        return out;
    }
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe))
        out += buffer;
    if (pclose(pipe) != 0) exitCode = 1;
    return out;
}

// `bench distance`: one case in this process with --n, else the grid, each case in a child
// process of its own so every peak RSS figure belongs to that case alone.
void addDistanceBench(CLI::App& bench, int& exitCode)
{
    struct Options {
        ot::DistanceBenchConfig config;
        std::string inner = "exact";
        std::vector<int> sizes = {1000, 2000, 5000, 10000};
        std::vector<int> dims = {64, 784};
        std::vector<std::string> inners = {"exact", "gaussian"};
        bool json = false;
    };
    auto o = std::make_shared<Options>();
    auto& c = o->config;
    auto* cmd = bench.add_subcommand(
        "distance", "Time and peak RSS of one dataset distance (default: the Fashion-MNIST case, "
                    "then synthetic points n = 1000..10000 per side x d = 64, 784; each for "
                    "exact and gaussian)");
    c.n = 0; // the grid by default; set before the option captures it as its shown default
    cmd->add_option("--n", c.n, "Points per side: run one case in this process (0 = the grid)")
        ->capture_default_str();
    cmd->add_option("--dim", c.dim, "Feature dimension of the single case")->capture_default_str();
    cmd->add_option("--inner", o->inner, "exact|gaussian, for the single case")
        ->capture_default_str();
    cmd->add_option("--sizes", o->sizes, "Grid: points per side")->delimiter(',');
    cmd->add_option("--dims", o->dims, "Grid: feature dimensions")->delimiter(',');
    cmd->add_option("--inners", o->inners, "Grid: label distance methods")->delimiter(',');
    cmd->add_option("--classes", c.classes, "Classes per dataset")->capture_default_str();
    cmd->add_option("--threads", c.threads, "0 = one per core")->capture_default_str();
    cmd->add_option("--max-iterations", c.distance.maxIterations,
                    "Sinkhorn iteration cap per problem")
        ->capture_default_str();
    cmd->add_option("--inner-max-iterations", c.distance.innerMaxIterations,
                    "The same for each exact label-to-label problem")
        ->capture_default_str();
    cmd->add_option("--cost-cache-mb", c.distance.costCacheMb, "Memory for cached cost tiles (MB)")
        ->capture_default_str();
    cmd->add_option("--seed", c.seed, "Seed of the sampled points")->capture_default_str();
    cmd->add_option("--fashion-mnist", c.fashionMnistDir,
                    "Run the fixed real-image case in this process: 1000 images of this "
                    "Fashion-MNIST folder's train file vs 1000 of its t10k file, 784-d pixels "
                    "(the grid runs it first when " +
                        std::string(kFashionMnistDir) + " exists)");
    cmd->add_flag("--json", o->json, "Print JSON (one object per case)");
    cmd->callback([o, &exitCode] {
        auto& c = o->config;
        if (c.n > 0 || !c.fashionMnistDir.empty()) {
            c.inner = ot::parseInnerMethod(o->inner);
            const auto r = ot::benchDistance(c);
            if (o->json) {
                auto j = nlohmann::json::parse(r.toJson());
                j["n"] = c.fashionMnistDir.empty() ? c.n : r.distance.samplesA;
                j["dim"] = c.fashionMnistDir.empty() ? c.dim : r.distance.dim;
                j["inner"] = o->inner;
                j["case"] = c.fashionMnistDir.empty() ? "synthetic" : "fashion-mnist";
                std::cout << j.dump() << std::endl;
            } else {
                std::printf("%s n=%d d=%d inner=%s: %.2f s (labels %.2f s), peak RSS %.0f MB, "
                            "value %.6g, %d iterations, marginal error %.2g%s\n",
                            c.fashionMnistDir.empty() ? "synthetic" : "fashion-mnist",
                            r.distance.samplesA, r.distance.dim, o->inner.c_str(), r.seconds,
                            r.labelSeconds, r.peakRssMb, r.distance.value, r.distance.iterations,
                            r.distance.marginalError,
                            r.distance.converged ? "" : " (not converged)");
            }
            exitCode = r.distance.status == RunStatus::Done ? 0 : 1;
            return;
        }
        // Children inherit it: spinning OpenMP threads collapse under CPU contention
        // (dependencies.md, pitfall 2). A value the user set is kept.
        setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
        const auto self = selfPath();
        if (!o->json)
            std::printf("%-13s %6s %5s %-9s %8s %8s %8s %11s %6s %9s\n", "case", "n", "d", "inner",
                        "seconds", "labels s", "peak MB", "value", "iters", "marg. err");
        // Each case: its extra arguments and its size for the table.
        struct Case {
            std::string args;
            int n, dim;
        };
        std::vector<std::pair<std::string, Case>> cases;
        for (const auto& inner : o->inners) {
            if (std::filesystem::is_directory(kFashionMnistDir))
                cases.push_back({inner,
                                 {std::string("--fashion-mnist ") + kFashionMnistDir,
                                  c.distance.maxSamples, 784}});
            for (int dim : o->dims)
                for (int n : o->sizes)
                    cases.push_back(
                        {inner,
                         {"--n " + std::to_string(n) + " --dim " + std::to_string(dim), n, dim}});
        }
        exitCode = 0;
        for (const auto& [inner, one] : cases) {
            std::ostringstream command;
            command << "'" << self << "' bench distance --json " << one.args << " --inner " << inner
                    << " --classes " << c.classes << " --threads " << c.threads
                    << " --max-iterations " << c.distance.maxIterations
                    << " --inner-max-iterations " << c.distance.innerMaxIterations
                    << " --cost-cache-mb " << c.distance.costCacheMb << " --seed " << c.seed;
            const auto out = childOutput(command.str(), exitCode);
            const auto j = nlohmann::json::parse(out, nullptr, false);
            if (o->json) {
                std::cout << (j.is_discarded() ? out : j.dump()) << std::endl;
                continue;
            }
            const auto name = one.args.rfind("--fashion", 0) == 0 ? "fashion-mnist" : "synthetic";
            if (j.is_discarded() || !j.is_object()) {
                std::printf("%-13s %6d %5d %-9s failed\n", name, one.n, one.dim, inner.c_str());
                continue;
            }
            std::printf("%-13s %6d %5d %-9s %8.2f %8.2f %8.0f %11.6g %6d %9.2g%s\n", name, one.n,
                        one.dim, inner.c_str(), j["seconds"].get<double>(),
                        j["label_seconds"].get<double>(), j["peak_rss_mb"].get<double>(),
                        j["value"].get<double>(), j["iterations"].get<int>(),
                        j["marginal_error"].get<double>(),
                        j["converged"].get<bool>() ? "" : " not converged");
            std::fflush(stdout);
        }
    });
}

// `bench search`: one variant in this process; several (--variant darts,pc-darts) each in a
// child process of its own, so every peak RSS figure belongs to that variant alone.
void addSearchBench(CLI::App& bench, int& exitCode)
{
    struct Options {
        darts::SearchBenchConfig config;
        std::vector<std::string> variants = {"darts"};
        bool json = false;
        ParallelFlags parallel;
    };
    auto o = std::make_shared<Options>();
    auto& s = o->config.search;
    auto* cmd = bench.add_subcommand(
        "search", "Seconds per search iteration and peak RSS on random data (default: C=8, 5 "
                  "layers, 4 nodes, batch 64, 28x28x1, 10 classes, first order)");
    cmd->add_option("--channels", s.channels, "Initial channels C")->capture_default_str();
    cmd->add_option("--layers", s.layers, "Cells in the supernet")->capture_default_str();
    cmd->add_option("--nodes", s.nodes, "Intermediate nodes per cell")->capture_default_str();
    cmd->add_option("--batch", s.batchSize, "Batch size")->capture_default_str();
    cmd->add_option("--order", s.order, "1 = first order, 2 = second order")->capture_default_str();
    cmd->add_option("--variant", o->variants,
                    "Search variants to compare, each in its own process (darts, pc-darts, drnas)")
        ->delimiter(',')
        ->check(CLI::IsMember(darts::searchVariants()))
        ->capture_default_str();
    cmd->add_option("--partial-channels", s.partialChannels,
                    "K of pc-darts/drnas (0 = the variant's default)")
        ->capture_default_str();
    cmd->add_option("--image-size", o->config.imageSize, "Image side in pixels")
        ->capture_default_str();
    cmd->add_option("--image-channels", o->config.imageChannels, "Image channels")
        ->capture_default_str();
    cmd->add_option("--classes", o->config.classes, "Classes of the random labels")
        ->capture_default_str();
    cmd->add_option("--threads", s.runtime.threads, "0 = one per core")->capture_default_str();
    cmd->add_option("--device", s.runtime.device, "cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_option("--iterations", o->config.iterations, "Timed iterations")
        ->capture_default_str();
    cmd->add_option("--warmup", o->config.warmup, "Untimed iterations first")
        ->capture_default_str();
    cmd->add_option("--seed", s.runtime.seed, "Seed of the network and the data")
        ->capture_default_str();
    cmd->add_flag("!--no-channels-last", s.runtime.channelsLast, "Use contiguous NCHW tensors");
    addAmpOption(*cmd, s.runtime);
    cmd->add_flag("--json", o->json, "Print one JSON object per variant");
    cmd->add_flag("--profile", o->config.profile,
                  "Also run the iterations under LibTorch's profiler and print the ops with the "
                  "most self time (the timings stay unprofiled; profiled iterations can run "
                  "slower, channels-last ones up to 2x)");
    cmd->add_flag("--profile-shapes", o->config.profileShapes,
                  "With --profile: tell an op's calls apart by their input shapes");
    o->parallel.add(*cmd);
    cmd->callback([o, &exitCode] {
        o->config.profile = o->config.profile || o->config.profileShapes;
        const auto& c = o->config;
        const auto& s = c.search;
        auto checked = s; // before any value reaches a child's command line
        checked.data.path = "(synthetic)";
        checked.validate();
        o->parallel.finish(o->config.search);
        if (o->variants.size() == 1) {
            o->config.search.variant = o->variants.front();
            // Every rank times its own steps; rank 0 prints, with each rank's peak RSS.
            o->parallel.startLocalRanks();
            const auto r = darts::benchSearch(c);
            exitCode = o->parallel.waitLocalRanks();
            if (o->parallel.helperRank()) return;
            if (o->json) {
                auto j = nlohmann::json::parse(r.toJson());
                j["variant"] = s.variant;
                std::cout << j.dump() << std::endl;
            } else {
                std::cout << "bench search: variant=" << s.variant << " C=" << s.channels
                          << " layers=" << s.layers << " nodes=" << s.nodes
                          << " batch=" << s.batchSize << " input=" << c.imageSize << "x"
                          << c.imageSize << "x" << c.imageChannels << " order=" << s.order
                          << " memory=" << (r.channelsLast ? "channels_last" : "contiguous")
                          << " iterations=" << c.iterations << "\n"
                          << r.report();
            }
            return;
        }
        if (o->parallel.spec().active() || s.shards > 1)
            throw Error("bench search: --nproc and --shards take one --variant");
        setenv("OMP_WAIT_POLICY", "PASSIVE", 0); // see bench distance
        const auto self = selfPath();
        if (!o->json)
            std::printf("%-9s %12s %10s %10s %9s %9s %9s\n", "variant", "iteration s", "weight s",
                        "alpha s", "peak MB", "speed-up", "memory");
        exitCode = 0;
        std::optional<nlohmann::json> first;
        std::string profiles; // printed under the table
        for (const auto& variant : o->variants) {
            std::ostringstream command;
            command << "'" << self << "' bench search --json --variant " << variant
                    << " --channels " << s.channels << " --layers " << s.layers << " --nodes "
                    << s.nodes << " --batch " << s.batchSize << " --order " << s.order
                    << " --partial-channels " << s.partialChannels << " --image-size "
                    << c.imageSize << " --image-channels " << c.imageChannels << " --classes "
                    << c.classes << " --threads " << s.runtime.threads << " --device "
                    << s.runtime.device << " --iterations "
                    << c.iterations << " --warmup " << c.warmup << " --seed " << s.runtime.seed
                    << (s.runtime.channelsLast ? "" : " --no-channels-last")
                    << (c.profile ? " --profile" : "")
                    << (c.profileShapes ? " --profile-shapes" : "");
            const auto out = childOutput(command.str(), exitCode);
            const auto j = nlohmann::json::parse(out, nullptr, false);
            if (o->json) {
                std::cout << (j.is_discarded() ? out : j.dump()) << std::endl;
                continue;
            }
            if (j.is_discarded() || !j.is_object()) {
                std::printf("%-9s failed\n", variant.c_str());
                exitCode = 1;
                continue;
            }
            if (!first) first = j;
            // Ratios against the first variant listed: its time over this one's, this one's
            // memory over its.
            const double speedUp = first->at("median_iteration_s").get<double>() /
                                   j.at("median_iteration_s").get<double>();
            const double memory =
                j.at("peak_rss_mb").get<double>() / first->at("peak_rss_mb").get<double>();
            std::printf("%-9s %12.4f %10.4f %10.4f %9.0f %8.2fx %8.2fx\n", variant.c_str(),
                        j.at("median_iteration_s").get<double>(),
                        j.at("median_weight_step_s").get<double>(),
                        j.at("median_alpha_step_s").get<double>(),
                        j.at("peak_rss_mb").get<double>(), speedUp, memory);
            if (c.profile)
                profiles += variant + ": " + darts::profileTable(darts::profileFromJson(out));
        }
        std::cout << profiles;
    });
}

void addKernelBench(CLI::App& bench)
{
    auto config = std::make_shared<darts::KernelBenchConfig>();
    auto json = std::make_shared<bool>(false);
    auto* cmd = bench.add_subcommand(
        "kernels", "Our CPU kernels against ATen's, per op and input shape (forward + backward, "
                   "best of --repeats), and the time of the choice the search network makes");
    cmd->add_option("--repeats", config->repeats, "Timed runs per case")->capture_default_str();
    cmd->add_option("--batch", config->batch, "Images per batch")->capture_default_str();
    cmd->add_option("--threads", config->threads, "0 = one per core")->capture_default_str();
    cmd->add_flag("--json", *json, "Print one JSON object per case");
    cmd->callback([config, json] {
        const auto rows = darts::benchKernels(*config);
        if (!*json) {
            std::cout << darts::kernelTable(rows);
            return;
        }
        for (const auto& r : rows)
            std::cout << r.toJson() << std::endl;
    });
}

} // namespace

void addBenchCommand(CLI::App& root, int& exitCode)
{
    auto* bench = root.add_subcommand("bench", "Benchmarks printing speed and memory figures");
    bench->require_subcommand(1);
    addDistanceBench(*bench, exitCode);
    addQueueBench(*bench, exitCode);
    addSearchBench(*bench, exitCode);
    addKernelBench(*bench);
}

} // namespace wb::cli
