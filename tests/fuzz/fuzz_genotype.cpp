// Genotype::parse on arbitrary text (DARTS literal or JSON); a parsed genotype must print and
// parse back to itself.

#include "wb/common/error.h"
#include "wb/darts/genotype.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto g = wb::darts::Genotype::parse(text);
        if (wb::darts::Genotype::parse(g.toPython()) != g) __builtin_trap();
        if (wb::darts::Genotype::parse(g.toJson()) != g) __builtin_trap();
    } catch (const wb::Error&) {
    }
    return 0;
}
