#pragma once

// The tiny supernet the tests search with (C=4, 3 cells, 2 nodes, batch 16, one thread): a few
// seconds per epoch on the small synthetic datasets of synthetic_idx.h. Header-only.

#include "wb/darts/search_config.h"

#include <string>

namespace wb::test {

inline darts::SearchConfig tinySearchConfig(const std::string& data, int epochs)
{
    darts::SearchConfig c;
    c.data.path = data;
    c.runtime.threads = 1;
    c.channels = 4;
    c.layers = 3;
    c.nodes = 2;
    c.batchSize = 16;
    c.epochs = epochs;
    return c;
}

} // namespace wb::test
