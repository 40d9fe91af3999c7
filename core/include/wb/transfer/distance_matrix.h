#pragma once

// The OTDD between every pair of a set of datasets through the workspace's cache: the one use
// case behind `supernet distance` and the workbench's Distances page.

#include "wb/transfer/cached_distance.h"

#include <cstddef>
#include <functional>
#include <vector>

namespace wb::transfer {

struct MatrixPair {
    std::size_t i = 0, j = 0; // dataset indices, i < j
    PairDistance distance;    // status Done, or Failed with its error
};

struct DistanceMatrix {
    std::size_t size = 0;
    std::vector<double> values;    // size x size, row-major; 0 on the diagonal, NaN where no value
    std::vector<MatrixPair> pairs; // finished pairs, row by row
    bool cancelled = false;
    int failed = 0;
    // The settings the values were computed with (the shared PCA basis included).
    ot::DistanceConfig config;
};

struct MatrixCallbacks {
    std::function<void(std::size_t i, std::size_t j)> started;
    std::function<void(const MatrixPair&)> finished;
};

// Validates `config` (throws wb::Error naming the setting), fits one PCA basis on every dataset
// when config.embedDim > 0, then computes the pairs row by row, each through cachedDistance (db
// and cache may be null). A failed pair is reported and the others go on; a stop request ends
// the matrix as cancelled. Callbacks run on the calling thread.
DistanceMatrix distanceMatrix(const std::vector<ot::DatasetRef>& datasets,
                              ot::DistanceConfig config, store::RunStore* db,
                              ot::EmbeddingCache* cache, RunControl& control,
                              ot::OtObserver& observer, const MatrixCallbacks& callbacks = {});

} // namespace wb::transfer
