#pragma once

#include "wb/darts/search_config.h"

#include <string>
#include <vector>

namespace wb::darts {

struct SearchBenchConfig {
    SearchConfig search; // network, batch, order, threads, channels_last; data is synthetic
    int imageSize = 28;
    int imageChannels = 1;
    int classes = 10;
    int warmup = 1;
    int iterations = 5;
    // Run `iterations` more under LibTorch's profiler and record each op's self time (by op,
    // or by op and input shapes).
    bool profile = false;
    bool profileShapes = false;
};

// One operator's share of a timed iteration (LibTorch's op names, e.g. aten::convolution).
struct OpTime {
    std::string name;
    double selfSeconds = 0; // per iteration, without the ops it called
    double calls = 0;       // per iteration
};

struct SearchBenchResult {
    double medianIterationSeconds = 0; // alpha step + weight step
    double medianWeightStepSeconds = 0;
    double medianAlphaStepSeconds = 0;
    double peakRssMb = 0;
    double peakGpuMb = 0; // the CUDA allocator's peak on a GPU, else 0
    std::vector<double> rankPeakRssMb; // each rank's, rank 0 first (a process group only)
    int threads = 0;
    bool channelsLast = false;  // the layout used (see makePlacement: small C stays NCHW)
    std::string amp = "off";    // the mixed precision used
    bool syncBatchNorm = false;
    std::vector<OpTime> profile; // most time first; empty unless profiled
    std::string report() const; // human-readable summary
    std::string toJson() const;
};

// The `rows` ops with the most self time as a table, with the total and the rest's share.
std::string profileTable(const std::vector<OpTime>& ops, std::size_t rows = 15);
// The profile of a SearchBenchResult::toJson() text (empty when it has none).
std::vector<OpTime> profileFromJson(const std::string& json);

struct KernelBenchConfig {
    int repeats = 20; // timed runs per case; the fastest counts
    int batch = 64;
    int threads = 1; // 0 = one per core
};

// One case of `bench kernels`: the forward and backward pass of one op on one input, in
// milliseconds, by our kernel, by ATen's, and as the search network runs it (its shape rules
// pick one of the two: this is the smaller of the others when the rule is right).
struct KernelTiming {
    std::string op;
    std::string input; // N x C x H x W
    double oursMs = 0;
    double atenMs = 0;
    double dispatchedMs = 0;
    std::string toJson() const; // one object: op, input, ours_ms, aten_ms, search_ms
};

// Times every op with a kernel of ours (depthwise and 1x1 convolutions, 3x3 pooling, training
// batch norm) on the partial-channel shapes of pc-darts at C = 16, NCHW float on the CPU.
std::vector<KernelTiming> benchKernels(const KernelBenchConfig& config);
std::string kernelTable(const std::vector<KernelTiming>& rows);

// Times search iterations on random data of the configured geometry. Throws wb::Error on an
// invalid configuration.
SearchBenchResult benchSearch(const SearchBenchConfig& config);

} // namespace wb::darts
