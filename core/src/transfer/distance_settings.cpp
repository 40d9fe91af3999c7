#include "wb/transfer/distance_settings.h"

#include "wb/transfer/workspace_embedder.h"

#include <algorithm>
#include <thread>

namespace wb::transfer {

ot::DistanceConfig DistanceSettings::resolve(store::RunStore* db, std::string* note) const
{
    auto c = config;
    c.embedder = ot::EmbedderConfig::parse(autoEmbedder(embed, db, note));
    const auto& given = config.embedder; // the input flags stay as given
    c.embedder.size = given.size;
    c.embedder.channels = given.channels;
    c.embedder.range = given.range;
    c.embedder.mean = given.mean;
    c.embedder.std = given.std;
    c.embedder.batchSize = given.batchSize;
    // One feature space for every dataset: the supernet's, at its own image size.
    if (c.embedder.kind == ot::EmbedderConfig::Kind::Supernet) resolveSupernet(c.embedder, db);
    c.inner = ot::parseInnerMethod(inner);
    if (c.threads <= 0) c.threads = int(std::max(1u, std::thread::hardware_concurrency()));
    c.validate();
    return c;
}

} // namespace wb::transfer
