#include "wb/transfer/cached_distance.h"

namespace wb::transfer {

PairDistance cachedDistance(const ot::DatasetRef& a, const ot::DatasetRef& b,
                            const ot::DistanceConfig& config, store::RunStore* db,
                            ot::EmbeddingCache* cache, RunControl& control,
                            ot::OtObserver& observer)
{
    PairDistance out;
    out.sourceIsA = !(b.data->fingerprint < a.data->fingerprint);
    const auto& source = out.sourceIsA ? a : b;
    const auto& target = out.sourceIsA ? b : a;
    const store::DistanceKey key{source.data->fingerprint, target.data->fingerprint,
                                 config.embedder.key(), config.cacheKeyJson()};
    if (db)
        if (const auto hit = db->findDistance(key)) {
            out.status = RunStatus::Done;
            out.value = *hit;
            out.cached = true;
            return out;
        }
    auto r = ot::computeDistance(source, target, config, control, observer, cache);
    out.status = r.status;
    out.error = r.error;
    if (r.status != RunStatus::Done) return out;
    out.value = {r.value, r.iterations, r.marginalError, r.converged, r.detailsJson(), 0};
    if (db) {
        try {
            db->putDistance(key, out.value);
        } catch (const std::exception& e) {
            out.cacheWarning = e.what();
        }
    }
    out.fresh = std::move(r);
    return out;
}

} // namespace wb::transfer
