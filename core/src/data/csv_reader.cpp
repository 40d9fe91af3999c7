#include "data/csv_reader.h"

#include "wb/common/error.h"

namespace wb::data {

std::vector<CsvRecord> parseCsv(const std::string& text, const std::string& sourceName)
{
    std::vector<CsvRecord> records;
    std::size_t pos = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    int line = 1;
    CsvRecord record{line, {}};
    std::string field;
    bool inQuotes = false;
    bool quoteOpenedOnThisField = false;
    int quoteLine = 0;

    auto endRecord = [&] {
        record.fields.push_back(std::move(field));
        field.clear();
        const bool blank =
            record.fields.size() == 1 && record.fields[0].empty() && !quoteOpenedOnThisField;
        if (!blank) records.push_back(std::move(record));
        record = CsvRecord{line, {}};
        quoteOpenedOnThisField = false;
    };

    for (; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (inQuotes) {
            if (c == '"') {
                if (pos + 1 < text.size() && text[pos + 1] == '"') {
                    field += '"';
                    ++pos;
                } else {
                    inQuotes = false;
                }
            } else {
                if (c == '\n') ++line;
                field += c;
            }
            continue;
        }
        switch (c) {
        case '"':
            inQuotes = true;
            quoteOpenedOnThisField = true;
            quoteLine = line;
            break;
        case ',':
            record.fields.push_back(std::move(field));
            field.clear();
            quoteOpenedOnThisField = false;
            break;
        case '\r':
            // Dropped only as part of CRLF; a lone CR inside a field is kept as data.
            if (pos + 1 < text.size() && text[pos + 1] == '\n') break;
            field += c;
            break;
        case '\n':
            ++line;
            endRecord();
            break;
        default:
            field += c;
        }
    }
    if (inQuotes)
        throw Error(sourceName + ": line " + std::to_string(quoteLine) +
                    ": quoted field is never closed");
    if (!field.empty() || !record.fields.empty() || quoteOpenedOnThisField) endRecord();
    return records;
}

} // namespace wb::data
