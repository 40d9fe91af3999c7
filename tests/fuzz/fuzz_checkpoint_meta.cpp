// A checkpoint's bookkeeping (issue 14): batch-sampler states and epoch histories as a crafted
// file could hold them. Byte 0 picks the parser; a state that parses must format and parse back
// to itself, and a history that parses has epochs 1, 2, 3, ...

#include "wb/common/error.h"
#include "wb/darts/checkpoint_meta.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

using namespace wb::darts;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 3) return 0;
    try {
        if (data[0] % 2 == 0) {
            const std::int64_t items = 1 + data[1] % 64;
            const std::int64_t batch = 1 + data[2] % items;
            const std::string text(reinterpret_cast<const char*>(data + 3), size - 3);
            const auto s = parseSamplerState(text, items, batch);
            for (const auto i : s.order)
                if (i < 0 || i >= items) __builtin_trap();
            const auto again = parseSamplerState(formatSamplerState(s), items, batch);
            if (again.order != s.order || again.pos != s.pos || again.rng != s.rng)
                __builtin_trap();
        } else {
            const std::int64_t columns = data[1] % 10;
            std::vector<double> values((size - 2) / sizeof(double));
            if (!values.empty()) std::memcpy(values.data(), data + 2, values.size() * sizeof(double));
            const std::int64_t rows = columns == 0 ? 0 : std::int64_t(values.size()) / columns;
            const auto history = historyFromRows(values.data(), rows, columns);
            for (std::size_t r = 0; r < history.size(); ++r)
                if (history[r].epoch != int(r + 1)) __builtin_trap();
        }
    } catch (const wb::Error&) {
    }
    return 0;
}
