#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wb {

// One CSV field with RFC 4180 quoting, only where needed (a comma, quote, CR or LF inside).
std::string csvField(std::string_view value);

// One CSV record: the fields quoted as needed, joined by commas, ending in "\n".
std::string csvRow(const std::vector<std::string>& fields);

} // namespace wb
