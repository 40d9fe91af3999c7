#pragma once

#include <string>
#include <vector>

namespace wb::data {

// One parsed CSV record and the 1-based line it starts on (for messages).
struct CsvRecord {
    int line = 0;
    std::vector<std::string> fields;
};

// Parses RFC 4180 CSV text: comma separated, fields optionally in double quotes (which may hold
// commas, line breaks and "" for a quote), LF or CRLF line ends, an optional UTF-8 byte order
// mark. Blank lines are skipped. An unterminated quote throws wb::Error prefixed with sourceName.
std::vector<CsvRecord> parseCsv(const std::string& text, const std::string& sourceName);

} // namespace wb::data
