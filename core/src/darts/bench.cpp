#include "wb/darts/bench.h"

#include "darts/architect.h"
#include "darts/op_profile.h"
#include "darts/rank_group.h"
#include "darts/supernet.h"
#include "darts/sync_batch_norm.h"
#include "darts/tensor_data.h"
#include "wb/common/error.h"
#include "wb/common/threads.h"

#include <nlohmann/json.hpp>

#include <sys/resource.h>

#ifdef WB_TORCH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace wb::darts {
namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const auto n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double peakRssMb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0; // Linux reports kilobytes
}

// The most memory the CUDA caching allocator has handed out on `device` (the figure of
// torch.cuda.max_memory_allocated), in MiB; 0 when this LibTorch has no CUDA.
double peakGpuMb(const torch::Device& device)
{
#ifdef WB_TORCH_CUDA
    const auto stats =
        c10::cuda::CUDACachingAllocator::getDeviceStats(device.has_index() ? device.index() : 0);
    return double(stats.allocated_bytes[0].peak) / double(1 << 20); // [0]: all pools
#else
    (void)device;
    return 0;
#endif
}

nlohmann::json profileJson(const std::vector<OpTime>& ops)
{
    auto out = nlohmann::json::array();
    for (const auto& op : ops)
        out.push_back({{"op", op.name}, {"self_s", op.selfSeconds}, {"calls", op.calls}});
    return out;
}

} // namespace

std::vector<OpTime> profileFromJson(const std::string& json)
{
    std::vector<OpTime> ops;
    const auto j = nlohmann::json::parse(json, nullptr, false);
    if (!j.is_object() || !j.contains("profile")) return ops;
    for (const auto& op : j["profile"])
        ops.push_back({op.value("op", ""), op.value("self_s", 0.0), op.value("calls", 0.0)});
    return ops;
}

std::string profileTable(const std::vector<OpTime>& ops, std::size_t rows)
{
    double total = 0;
    for (const auto& op : ops)
        total += op.selfSeconds;
    char line[256];
    std::snprintf(line, sizeof line, "op profile (self time per iteration, %.3f s in ops):\n",
                  total);
    std::string out = line;
    double shown = 0;
    for (std::size_t i = 0; i < std::min(rows, ops.size()); ++i) {
        std::snprintf(line, sizeof line, "  %-56s %8.3f s %5.1f%% %7.0f calls\n",
                      ops[i].name.c_str(), ops[i].selfSeconds,
                      total > 0 ? 100 * ops[i].selfSeconds / total : 0.0, ops[i].calls);
        out += line;
        shown += ops[i].selfSeconds;
    }
    if (ops.size() > rows) {
        std::snprintf(line, sizeof line, "  %-56s %8.3f s %5.1f%%\n", "(the other ops)",
                      total - shown, total > 0 ? 100 * (total - shown) / total : 0.0);
        out += line;
    }
    return out;
}

std::string SearchBenchResult::report() const
{
    char text[256];
    std::snprintf(text, sizeof text,
                  "median s/iteration (alpha + weight step): %.3f\n"
                  "median s/weight step: %.3f\nmedian s/alpha step: %.3f\n"
                  "peak RSS: %.0f MB\nthreads: %d\nmixed precision: %s\n",
                  medianIterationSeconds, medianWeightStepSeconds, medianAlphaStepSeconds,
                  peakRssMb, threads, amp.c_str());
    std::string out = text;
    if (syncBatchNorm) out += "batch norm: synchronised across the processes (--sync-bn)\n";
    if (peakGpuMb > 0) out += "peak GPU memory: " + std::to_string(int(peakGpuMb + 0.5)) + " MB\n";
    if (!profile.empty()) out += profileTable(profile);
    if (rankPeakRssMb.size() > 1) {
        out += "processes: " + std::to_string(rankPeakRssMb.size()) + "\npeak RSS per rank (MB):";
        for (const double mb : rankPeakRssMb)
            out += " " + std::to_string(int(mb + 0.5));
        out += "\n";
    }
    return out;
}

std::string SearchBenchResult::toJson() const
{
    return nlohmann::json{{"median_iteration_s", medianIterationSeconds},
                          {"median_weight_step_s", medianWeightStepSeconds},
                          {"median_alpha_step_s", medianAlphaStepSeconds},
                          {"peak_rss_mb", peakRssMb},
                          {"peak_gpu_mb", peakGpuMb},
                          {"threads", threads},
                          {"processes", std::max<std::size_t>(1, rankPeakRssMb.size())},
                          {"rank_peak_rss_mb", rankPeakRssMb},
                          {"memory", channelsLast ? "channels_last" : "contiguous"},
                          {"amp", amp},
                          {"sync_bn", syncBatchNorm},
                          {"profile", profileJson(profile)}}
        .dump();
}

SearchBenchResult benchSearch(const SearchBenchConfig& config)
{
    const auto& sc = config.search;
    if (config.iterations < 1 || config.warmup < 0 || config.imageSize < 1 || config.classes < 2)
        throw Error("bench: iterations >= 1, warmup >= 0, image size >= 1 and classes >= 2 needed");
    // The network and batch rules of a real search; the synthetic data needs no path.
    auto checked = sc;
    checked.data.path = "(synthetic)";
    checked.validate();
    SearchBenchResult result;
    result.threads = setComputeThreads(sc.runtime.threads);
    result.amp = sc.runtime.amp;
    result.syncBatchNorm = sc.syncBatchNorm;
    torch::manual_seed(sc.runtime.seed);

    const auto spec = SupernetSpec::of(sc, config.imageChannels, config.classes);
    auto runtime = sc.runtime;
    runtime.device = rankDevice(runtime.device, runtime.group);
    const auto placement = makePlacement(runtime, sc.channels / sc.effectivePartialChannels());
    result.channelsLast = placement.channelsLast;
    Supernet net(spec);
    net->place(placement.device, placement.channelsLast);
    torch::optim::SGD weightOpt(net->parameters(), torch::optim::SGDOptions(sc.weights.lr)
                                                       .momentum(sc.weights.momentum)
                                                       .weight_decay(sc.weights.weightDecay));
    torch::optim::Adam alphaOpt(net->alphas(), torch::optim::AdamOptions(sc.alphaLr)
                                                   .betas({sc.alphaBeta1, sc.alphaBeta2})
                                                   .weight_decay(sc.alphaWeightDecay));
    // Ranks of a process group: every rank draws the same batch and computes its shards.
    const auto group =
        runtime.group.active() ? connectRankGroup(runtime.group, runtime.device) : nullptr;
    RankGroup& ranks = group ? *group : RankGroup::solo();
    if (sc.shards % ranks.size() != 0)
        throw Error("bench: shards must be a multiple of the processes");
    LossScaler scaler;
    const auto precision = precisionOf(placement, scaler);
    auto variant = makeVariant(sc, net, weightOpt, alphaOpt, ranks, precision);
    auto makeBatch = [&] {
        const auto n = sc.batchSize;
        TensorSplit split{
            torch::randn({n, config.imageChannels, config.imageSize, config.imageSize}),
            torch::randint(config.classes, {n}, torch::kInt64)};
        return stepShards(sc, split, torch::arange(n), placement, ranks);
    };
    if (sc.syncBatchNorm) syncBatchNorms(*net, &ranks);
    const auto train = makeBatch();
    const auto val = makeBatch();
    const auto weights = net->parameters();

    // GPU kernels run asynchronously: wait for them before reading the clock.
    const auto now = [&] {
        if (placement.device.is_cuda()) torch::cuda::synchronize();
        return std::chrono::steady_clock::now();
    };
    const auto alpha = [&] { variant->alphaStep(train, val, sc.weights.lr); };
    const auto weight = [&] {
        weightStep([&](const torch::Tensor& x) { return net->forward(x); }, weightOpt, weights,
                   train, sc.weights.gradClip, ranks, precision);
    };
    std::vector<double> alphaTimes, weightTimes, totals;
    for (int i = 0; i < config.warmup + config.iterations; ++i) {
        const auto t0 = now();
        alpha();
        const auto t1 = now();
        weight();
        const auto t2 = now();
        if (i < config.warmup) continue;
        alphaTimes.push_back(std::chrono::duration<double>(t1 - t0).count());
        weightTimes.push_back(std::chrono::duration<double>(t2 - t1).count());
        totals.push_back(std::chrono::duration<double>(t2 - t0).count());
    }
    // Before profiling: the profiler's records are no part of a search's memory.
    result.peakRssMb = peakRssMb();
    if (config.profile) {
        // Iterations of their own: the profiler's overhead stays out of the timings above.
        OpProfile profile(config.profileShapes);
        for (int i = 0; i < config.iterations; ++i) {
            alpha();
            weight();
        }
        result.profile = profile.finish(config.iterations);
    }
    result.medianIterationSeconds = median(totals);
    result.medianWeightStepSeconds = median(weightTimes);
    result.medianAlphaStepSeconds = median(alphaTimes);
    if (placement.device.is_cuda()) result.peakGpuMb = peakGpuMb(placement.device);
    if (ranks.size() > 1) {
        ranks.set("bench/rss/" + std::to_string(ranks.rank()), std::to_string(result.peakRssMb));
        for (int r = 0; r < ranks.size(); ++r)
            result.rankPeakRssMb.push_back(std::stod(ranks.get("bench/rss/" + std::to_string(r))));
        // Rank 0 keeps the group (and its store) open until every rank has read the figures.
        ranks.any(false);
    }
    return result;
}

} // namespace wb::darts
