#pragma once

#include "wb/ot/distance.h"

#include <cstdint>
#include <string>

namespace wb::ot {

// One timed dataset distance on synthetic embedded points (or on Fashion-MNIST, see below): two datasets of `n` points each in
// `dim` dimensions, `classes` Gaussian clusters per dataset (each dataset its own clusters), at
// the scale of Fashion-MNIST pixels in [0, 1] whatever `dim` (so iteration counts are realistic).
struct DistanceBenchConfig {
    int n = 1000;
    int dim = 64;
    int classes = 10;
    InnerMethod inner = InnerMethod::Exact;
    int threads = 0; // 0 = one per core
    std::uint64_t seed = 0;
    DistanceConfig distance; // OT settings (sampling and embedder are not used)
    // Set: instead of synthetic points, the fixed real-image case: `distance.maxSamples` images
    // (default 1000, seeded) of Fashion-MNIST's train file vs as many of its t10k file, raw
    // pixels in [0, 1] (784-d), 10 classes each. `n`, `dim` and `classes` are then not used.
    std::string fashionMnistDir;
};

struct DistanceBenchResult {
    double seconds = 0;      // the whole distance
    double labelSeconds = 0; // label-to-label stage
    double peakRssMb = 0;    // of this process so far
    int threads = 0;
    DistanceResult distance;
    std::string toJson() const;
};

// Throws wb::Error on an invalid configuration.
DistanceBenchResult benchDistance(const DistanceBenchConfig& config);

} // namespace wb::ot
