#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pigeon::xml {

// Checks UTF-8 that arrives in pieces: a sequence may be split across calls. Rejects overlong
// forms, surrogates and code points above U+10FFFF (RFC 3629).
class Utf8Validator {
public:
    // Returns false at the first byte that cannot continue valid UTF-8; the validator then stays
    // failed until Reset().
    bool Feed(std::string_view bytes) noexcept;

    // True when no multi-byte sequence is left half-read.
    bool AtBoundary() const noexcept { return needed_ == 0; }

    void Reset() noexcept { *this = Utf8Validator{}; }

private:
    unsigned needed_ = 0;
    unsigned char low_ = 0x80;
    unsigned char high_ = 0xBF;
    bool failed_ = false;
};

// Decodes the code point at the start of s into cp and returns its length in bytes, or 0 when s
// does not start with a valid UTF-8 sequence (or is empty).
std::size_t DecodeUtf8(std::string_view s, char32_t& cp) noexcept;

bool IsValidUtf8(std::string_view s) noexcept;

// Why `text` cannot be XML character data (not UTF-8, or a character XML 1.0
// forbids, named as U+XXXX), or nullopt if it can. The one check that the
// serializer and the daemon's input validation share.
std::optional<std::string> TextProblem(std::string_view text);

// The XML 1.0 Char production: what may appear in a document, escaped or not.
constexpr bool IsXmlChar(char32_t cp) noexcept
{
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// The XML 1.0 S production: the whitespace that may separate markup.
constexpr bool IsXmlSpace(char c) noexcept
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

} // namespace pigeon::xml
