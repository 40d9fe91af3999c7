#pragma once

#include <string>
#include <string_view>

namespace wb::suite {

// Decodes UTF-8 into code points; invalid bytes become U+FFFD.
std::u32string decodeUtf8(std::string_view text);
// Encodes one code point as UTF-8.
std::string encodeUtf8(char32_t codepoint);
// "U+03B1".
std::string codepointLabel(char32_t codepoint);

} // namespace wb::suite
