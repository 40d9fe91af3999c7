#pragma once

#include <charconv>
#include <string>

namespace wb {

// The shortest decimal text that reads back to the same value (CSV cells, TOML and Python
// literals the workbench writes).
template <class T> std::string shortestText(T value)
{
    char buffer[64];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, r.ptr);
}

} // namespace wb
