#include "wb/darts/bench.h"

#include "darts/kernel_choice.h"
#include "darts/ops.h"
#include "darts/pool.h"
#include "darts/sync_batch_norm.h"
#include "wb/common/error.h"
#include "wb/common/threads.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>

namespace wb::darts {
namespace {

struct Case {
    std::string op;
    int channels = 0, size = 0;
    std::vector<torch::Tensor> parameters;
    std::function<torch::Tensor(const torch::Tensor&)> run;
};

// The images a partial-channel edge of pc-darts at C = 16 (K = 4) sees: 4, 8 and 16 channels
// on 28, 14 and 7 pixel sides, and at stride 2 the inputs of the reduction cells.
struct Plane {
    int channels, size, stride;
};
constexpr Plane kPlanes[] = {{4, 28, 1}, {8, 14, 1}, {16, 7, 1}, {8, 28, 2}, {16, 14, 2}};

std::vector<Case> cases()
{
    std::vector<Case> all;
    for (const auto& p : kPlanes) {
        const auto s = std::to_string(p.stride);
        for (const int k : {3, 5})
            for (const int dilation : {1, 2}) {
                // sep_conv (dilation 1) and dil_conv (dilation 2) kernels.
                auto w = torch::randn({p.channels, 1, k, k}).requires_grad_();
                all.push_back({"depthwise " + std::to_string(k) + "x" + std::to_string(k) +
                                   " d" + std::to_string(dilation) + " s" + s,
                               p.channels, p.size, {w}, [=](const torch::Tensor& x) {
                                   return depthwiseConv(x, w, p.stride, dilation * (k / 2),
                                                        dilation);
                               }});
            }
        for (const bool max : {true, false})
            all.push_back({std::string(max ? "max" : "avg") + " pool 3x3 s" + s, p.channels,
                           p.size, {}, [=](const torch::Tensor& x) {
                               return pool3x3(x, max, p.stride);
                           }});
        if (p.stride != 1) continue;
        auto w = torch::randn({p.channels, p.channels, 1, 1}).requires_grad_();
        all.push_back({"pointwise 1x1", p.channels, p.size, {w},
                       [=](const torch::Tensor& x) { return pointwise(x, w); }});
    }
    // Batch norm: the edges' images, and a cell input's (the preprocessing's) at full width.
    for (const auto& [c, size] : {std::pair{4, 28}, {8, 14}, {16, 7}, {64, 28}}) {
        SyncBatchNorm2d bn(c, /*affine=*/false);
        all.push_back({"batch norm (training)", c, size, {},
                       [bn](const torch::Tensor& x) mutable { return bn(x); }});
    }
    return all;
}

// Forward and backward (input and parameter gradients) once; the fastest of `repeats` runs
// after one untimed run.
double bestMs(const Case& c, const torch::Tensor& x, int repeats)
{
    std::vector<torch::Tensor> inputs{x};
    inputs.insert(inputs.end(), c.parameters.begin(), c.parameters.end());
    const auto once = [&] {
        const auto y = c.run(x);
        torch::autograd::grad({y}, inputs, {torch::ones_like(y)});
    };
    once();
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        once();
        best = std::min(best, std::chrono::duration<double, std::milli>(
                                  std::chrono::steady_clock::now() - start)
                                  .count());
    }
    return best;
}

} // namespace

std::vector<KernelTiming> benchKernels(const KernelBenchConfig& config)
{
    if (config.repeats < 1 || config.batch < 1)
        throw Error("bench kernels: --repeats and --batch must be at least 1");
    setComputeThreads(config.threads);
    torch::manual_seed(0);
    std::vector<KernelTiming> rows;
    for (const auto& c : cases()) {
        const auto x = torch::randn({config.batch, c.channels, c.size, c.size}).requires_grad_();
        KernelTiming row{c.op, std::to_string(config.batch) + " x " + std::to_string(c.channels) +
                                   " x " + std::to_string(c.size) + " x " +
                                   std::to_string(c.size)};
        const auto timed = [&](KernelChoice choice) {
            const KernelChoiceScope scope(choice);
            return bestMs(c, x, config.repeats);
        };
        row.oursMs = timed(KernelChoice::Ours);
        row.atenMs = timed(KernelChoice::Aten);
        row.dispatchedMs = timed(KernelChoice::Fastest);
        rows.push_back(row);
    }
    return rows;
}

std::string KernelTiming::toJson() const
{
    return nlohmann::json{{"op", op},
                          {"input", input},
                          {"ours_ms", oursMs},
                          {"aten_ms", atenMs},
                          {"search_ms", dispatchedMs}}
        .dump();
}

std::string kernelTable(const std::vector<KernelTiming>& rows)
{
    std::string out;
    char line[256];
    std::snprintf(line, sizeof line, "%-24s %-18s %9s %9s %8s %11s\n", "op (forward + backward)",
                  "input", "ours ms", "ATen ms", "speed-up", "search ms");
    out += line;
    for (const auto& r : rows) {
        std::snprintf(line, sizeof line, "%-24s %-18s %9.3f %9.3f %7.2fx %11.3f\n", r.op.c_str(),
                      r.input.c_str(), r.oursMs, r.atenMs, r.atenMs / r.oursMs, r.dispatchedMs);
        out += line;
    }
    return out;
}

} // namespace wb::darts
