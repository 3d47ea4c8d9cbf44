#include "xml/Utf8.hxx"

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace pigeon::xml {

namespace {

// For a lead byte, how many continuation bytes follow and the allowed range of the first one
// (narrower than 80..BF where that excludes overlong forms, surrogates and > U+10FFFF).
struct Lead {
    unsigned needed;
    unsigned char low;
    unsigned char high;
};

constexpr bool ClassifyLead(unsigned char b, Lead& lead) noexcept
{
    if (b >= 0xC2 && b <= 0xDF)
        lead = {1, 0x80, 0xBF};
    else if (b == 0xE0)
        lead = {2, 0xA0, 0xBF};
    else if (b == 0xED)
        lead = {2, 0x80, 0x9F};
    else if (b >= 0xE1 && b <= 0xEF)
        lead = {2, 0x80, 0xBF};
    else if (b == 0xF0)
        lead = {3, 0x90, 0xBF};
    else if (b >= 0xF1 && b <= 0xF3)
        lead = {3, 0x80, 0xBF};
    else if (b == 0xF4)
        lead = {3, 0x80, 0x8F};
    else
        return false;
    return true;
}

// Whether the 8 bytes at p are all ASCII.
bool Ascii8(const char* p) noexcept
{
    std::uint64_t word = 0;
    std::memcpy(&word, p, sizeof(word));
    return (word & 0x8080808080808080) == 0;
}

} // namespace

bool Utf8Validator::Feed(std::string_view bytes) noexcept
{
    if (failed_)
        return false;
    for (std::size_t at = 0; at < bytes.size();) {
        // Between sequences, runs of ASCII change nothing: 8 bytes a step.
        if (needed_ == 0 && at + 8 <= bytes.size() && Ascii8(bytes.data() + at)) {
            at += 8;
            continue;
        }
        const auto b = static_cast<unsigned char>(bytes[at++]);
        if (needed_ == 0) {
            if (b < 0x80)
                continue;
            Lead lead{};
            if (!ClassifyLead(b, lead)) {
                failed_ = true;
                return false;
            }
            needed_ = lead.needed;
            low_ = lead.low;
            high_ = lead.high;
        } else {
            if (b < low_ || b > high_) {
                failed_ = true;
                return false;
            }
            --needed_;
            low_ = 0x80;
            high_ = 0xBF;
        }
    }
    return true;
}

std::size_t DecodeUtf8(std::string_view s, char32_t& cp) noexcept
{
    if (s.empty())
        return 0;
    const auto b0 = static_cast<unsigned char>(s[0]);
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    Lead lead{};
    if (!ClassifyLead(b0, lead) || s.size() < lead.needed + 1)
        return 0;
    // The lead byte keeps 5, 4 or 3 payload bits for 2, 3 or 4 byte sequences.
    char32_t value = b0 & (0x3F >> lead.needed);
    for (unsigned i = 1; i <= lead.needed; ++i) {
        const auto b = static_cast<unsigned char>(s[i]);
        const unsigned char low = i == 1 ? lead.low : 0x80;
        const unsigned char high = i == 1 ? lead.high : 0xBF;
        if (b < low || b > high)
            return 0;
        value = (value << 6) | (b & 0x3F);
    }
    cp = value;
    return lead.needed + 1;
}

bool IsValidUtf8(std::string_view s) noexcept
{
    Utf8Validator v;
    return v.Feed(s) && v.AtBoundary();
}

std::optional<std::string> TextProblem(std::string_view text)
{
    while (!text.empty()) {
        char32_t cp = 0;
        const std::size_t length = DecodeUtf8(text, cp);
        if (length == 0)
            return "it is not valid UTF-8";
        if (!IsXmlChar(cp)) {
            char code[16];
            std::snprintf(code, sizeof(code), "U+%04X", static_cast<unsigned>(cp));
            return std::string("it contains ") + code + ", which XML does not allow";
        }
        text.remove_prefix(length);
    }
    return std::nullopt;
}

} // namespace pigeon::xml
