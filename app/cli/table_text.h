#pragma once

// Number and column formatting of the CLI's plain-text tables.

#include <cmath>
#include <cstdio>
#include <string>

namespace wb::cli {

inline std::string fixed(double v, int decimals)
{
    if (!std::isfinite(v)) return "nan";
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, v);
    return text;
}

// `s` filled with spaces to `width` (on the left when `right`); longer text is kept whole.
inline std::string padded(const std::string& s, std::size_t width, bool right = false)
{
    if (s.size() >= width) return s;
    const std::string fill(width - s.size(), ' ');
    return right ? fill + s : s + fill;
}

} // namespace wb::cli
