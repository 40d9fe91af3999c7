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
    std::string report() const; // human-readable summary
    std::string toJson() const;
};

// Times search iterations on random data of the configured geometry. Throws wb::Error on an
// invalid configuration.
SearchBenchResult benchSearch(const SearchBenchConfig& config);

} // namespace wb::darts
