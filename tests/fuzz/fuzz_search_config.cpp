// Search and train configs from JSON (run records, --resume): fromJson then validate(); a
// config that validates must survive its own JSON round trip.

#include "wb/common/error.h"
#include "wb/darts/search_config.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto c = wb::darts::SearchConfig::fromJson(text);
        c.validate();
        if (wb::darts::SearchConfig::fromJson(c.toJson()).toJson() != c.toJson()) __builtin_trap();
    } catch (const wb::Error&) {
    }
    try {
        wb::darts::TrainConfig::fromJson(text).validate();
    } catch (const wb::Error&) {
    }
    return 0;
}
