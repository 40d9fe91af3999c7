#include "wb/darts/checkpoint_meta.h"

#include "wb/common/error.h"

#include <sstream>

namespace wb::darts {

std::string formatSamplerState(const SamplerState& state)
{
    std::ostringstream out;
    out << state.size << ' ' << state.batch << ' ' << state.pos << ' ' << state.rng;
    for (const auto i : state.order)
        out << ' ' << i;
    return out.str();
}

SamplerState parseSamplerState(const std::string& text, std::int64_t size, std::int64_t batch)
{
    std::istringstream in(text);
    SamplerState s;
    in >> s.size >> s.batch >> s.pos >> s.rng;
    if (!in || s.size != size || s.batch != batch || s.pos < 0 || s.pos > size)
        throw Error("sampler state does not match this split (size " + std::to_string(size) +
                    ", batch " + std::to_string(batch) + ")");
    s.order.resize(std::size_t(size));
    for (auto& i : s.order) {
        in >> i;
        // Out-of-range indices would reach index_select as a wrong batch or an error mid-epoch.
        if (in && (i < 0 || i >= size))
            throw Error("sampler state holds index " + std::to_string(i) + ", outside the split (" +
                        std::to_string(size) + " items)");
    }
    if (!in) throw Error("sampler state is truncated");
    return s;
}

std::vector<EpochMetrics> historyFromRows(const double* values, std::int64_t rows,
                                          std::int64_t columns)
{
    if (columns != kHistoryColumns || rows < 0)
        throw Error("epoch history has " + std::to_string(columns) + " columns, not " +
                    std::to_string(kHistoryColumns));
    std::vector<EpochMetrics> out;
    for (std::int64_t r = 0; r < rows; ++r) {
        const double* v = values + r * columns;
        // Compared as doubles first: converting a NaN or huge value to int is undefined.
        if (!(v[0] == double(r + 1)))
            throw Error("epoch history row " + std::to_string(r + 1) + " is not epoch " +
                        std::to_string(r + 1));
        out.push_back({int(r + 1), v[1], v[2], v[3], v[4], v[5], v[6]});
    }
    return out;
}

} // namespace wb::darts
