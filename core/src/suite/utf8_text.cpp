#include "wb/suite/utf8_text.h"

#include <cstdio>

namespace wb::suite {

std::u32string decodeUtf8(std::string_view text)
{
    std::u32string out;
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        int length = 0;
        char32_t codepoint = 0;
        if (byte < 0x80) {
            length = 1;
            codepoint = byte;
        } else if ((byte & 0xe0) == 0xc0) {
            length = 2;
            codepoint = byte & 0x1f;
        } else if ((byte & 0xf0) == 0xe0) {
            length = 3;
            codepoint = byte & 0x0f;
        } else if ((byte & 0xf8) == 0xf0) {
            length = 4;
            codepoint = byte & 0x07;
        }
        bool valid = length > 0 && i + std::size_t(length) <= text.size();
        for (int k = 1; valid && k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + std::size_t(k)]);
            valid = (next & 0xc0) == 0x80;
            codepoint = (codepoint << 6) | (next & 0x3f);
        }
        if (!valid) {
            out.push_back(U'\uFFFD');
            ++i;
            continue;
        }
        out.push_back(codepoint);
        i += std::size_t(length);
    }
    return out;
}

std::string encodeUtf8(char32_t codepoint)
{
    std::string out;
    if (codepoint < 0x80) {
        out += char(codepoint);
    } else if (codepoint < 0x800) {
        out += char(0xc0 | (codepoint >> 6));
        out += char(0x80 | (codepoint & 0x3f));
    } else if (codepoint < 0x10000) {
        out += char(0xe0 | (codepoint >> 12));
        out += char(0x80 | ((codepoint >> 6) & 0x3f));
        out += char(0x80 | (codepoint & 0x3f));
    } else {
        out += char(0xf0 | (codepoint >> 18));
        out += char(0x80 | ((codepoint >> 12) & 0x3f));
        out += char(0x80 | ((codepoint >> 6) & 0x3f));
        out += char(0x80 | (codepoint & 0x3f));
    }
    return out;
}

std::string codepointLabel(char32_t codepoint)
{
    char text[16];
    std::snprintf(text, sizeof text, "U+%04X", unsigned(codepoint));
    return text;
}

} // namespace wb::suite
