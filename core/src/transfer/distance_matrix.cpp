#include "wb/transfer/distance_matrix.h"

#include <cmath>
#include <limits>

namespace wb::transfer {

DistanceMatrix distanceMatrix(const std::vector<ot::DatasetRef>& datasets,
                              ot::DistanceConfig config, store::RunStore* db,
                              ot::EmbeddingCache* cache, RunControl& control,
                              ot::OtObserver& observer, const MatrixCallbacks& callbacks)
{
    config.validate();
    config.embedder.identify();
    DistanceMatrix m;
    m.size = datasets.size();
    m.values.assign(m.size * m.size, std::numeric_limits<double>::quiet_NaN());
    for (std::size_t i = 0; i < m.size; ++i)
        m.values[i * m.size + i] = 0.0;
    // One basis for the whole matrix, so every pair is measured in the same space.
    if (config.embedDim > 0) config.pcaBasis = ot::fitPcaBasis(datasets, config, control, cache);
    m.config = config;
    for (std::size_t i = 0; i < m.size; ++i)
        for (std::size_t j = i + 1; j < m.size; ++j) {
            if (control.stopRequested()) {
                m.cancelled = true;
                return m;
            }
            if (callbacks.started) callbacks.started(i, j);
            MatrixPair pair{
                i, j,
                cachedDistance(datasets[i], datasets[j], config, db, cache, control, observer)};
            if (pair.distance.status == RunStatus::Cancelled) {
                m.cancelled = true;
                return m;
            }
            if (pair.distance.status == RunStatus::Done)
                m.values[i * m.size + j] = m.values[j * m.size + i] = pair.distance.value.value;
            else
                ++m.failed;
            if (callbacks.finished) callbacks.finished(pair);
            m.pairs.push_back(std::move(pair));
        }
    return m;
}

} // namespace wb::transfer
