#include "xmpp/Jid.hxx"

#include "idn/Stringprep.hxx"
#include "xml/Utf8.hxx"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <system_error>

namespace pigeon::xmpp {

namespace {

constexpr std::size_t kMaxPartBytes = 1023;
constexpr std::size_t kMaxLabelBytes = 63;

bool IsControl(char32_t cp) noexcept
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

// Unicode White_Space characters other than the controls among them.
bool IsSpace(char32_t cp) noexcept
{
    return cp == 0x20 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// The invisible characters that reorder text around them (Unicode's
// Bidi_Control): an address holding one can show as another. Stringprep
// prohibits most of them; the isolates came after its Unicode 3.2.
bool IsBidiControl(char32_t cp) noexcept
{
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

std::string CodePoint(char32_t cp)
{
    char text[16];
    std::snprintf(text, sizeof(text), "U+%04X", static_cast<unsigned>(cp));
    return text;
}

// Checks length, UTF-8 and the characters every part refuses; returns the problem or "".
std::string CheckPart(std::string_view part, std::string_view what, bool allow_space)
{
    if (part.size() > kMaxPartBytes)
        return std::string{what} + " is longer than 1023 bytes";
    while (!part.empty()) {
        char32_t cp = 0;
        const std::size_t n = xml::DecodeUtf8(part, cp);
        if (n == 0)
            return std::string{what} + " is not valid UTF-8";
        if (IsControl(cp))
            return std::string{what} + " contains a control character";
        if (!allow_space && IsSpace(cp))
            return std::string{what} + " contains whitespace";
        if (IsBidiControl(cp))
            return std::string{what} + " contains " + CodePoint(cp) +
                   ", a bidi control that can disguise an address";
        part.remove_prefix(n);
    }
    return {};
}

// Replaces `part` with its form under a stringprep profile; returns the problem or "".
std::string Prepare(std::string& part, std::string_view what,
                    std::string (*profile)(std::string_view), std::string_view profile_name,
                    bool allow_space)
{
    if (part.empty())
        return {};
    try {
        part = profile(part);
    } catch (const std::system_error& e) {
        return std::string{what} + " is refused by " + std::string{profile_name} + ": " +
               e.code().message();
    }
    if (part.empty())
        return std::string{what} + " is empty once prepared";
    // Normalization can make what was refused above (U+00A8 holds a space under NFKC): the
    // prepared form must pass the same checks, or it would not parse again.
    if (auto problem = CheckPart(part, what, allow_space); !problem.empty())
        return problem + " once prepared";
    return {};
}

bool IsAscii(std::string_view text) noexcept
{
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// One label of a prepared domainpart: host name characters (and '_', which
// link-local names use), no hyphen at either end, at most 63 bytes in its
// ASCII form.
std::string CheckLabel(std::string_view label)
{
    if (label.empty())
        return "domainpart has an empty label";
    if (label.front() == '-' || label.back() == '-')
        return "domainpart label '" + std::string{label} + "' starts or ends with a hyphen";
    std::string ascii{label};
    if (!IsAscii(label)) {
        try {
            ascii = idn::LabelToAscii(label);
        } catch (const std::system_error& e) {
            return "domainpart label '" + std::string{label} +
                   "' is not a valid internationalized label: " + e.code().message();
        }
    }
    if (ascii.size() > kMaxLabelBytes)
        return "domainpart has a label longer than 63 bytes";
    for (const char c : ascii) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok)
            return std::string{"domainpart contains '"} + c + "'";
    }
    return {};
}

std::string CheckDomain(std::string& domain)
{
    if (domain.ends_with('.'))
        domain.pop_back();
    if (domain.empty())
        return "domainpart is empty";
    if (auto problem = CheckPart(domain, "domainpart", false); !problem.empty())
        return problem;

    if (domain.front() == '[') {
        std::transform(domain.begin(), domain.end(), domain.begin(),
                       [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
        const std::string inside = domain.substr(1, domain.size() - 2);
        in6_addr addr{};
        if (!domain.ends_with(']') || domain.size() < 3 ||
            inet_pton(AF_INET6, inside.c_str(), &addr) != 1)
            return "domainpart is not a valid IPv6 literal";
        return {};
    }

    if (auto problem = Prepare(domain, "domainpart", idn::Nameprep, "nameprep", false);
        !problem.empty())
        return problem;
    std::string_view rest = domain;
    while (true) {
        const std::size_t dot = rest.find('.');
        if (auto problem = CheckLabel(rest.substr(0, dot)); !problem.empty())
            return problem;
        if (dot == std::string_view::npos)
            return {};
        rest.remove_prefix(dot + 1);
    }
}

} // namespace

std::string Jid::Assign(std::string_view text)
{
    if (text.empty())
        return "it is empty";

    // RFC 7622 section 3.2: the resourcepart starts at the first '/', and the localpart ends at
    // the first '@' before that, so a resourcepart may contain both.
    std::string_view rest = text;
    if (const std::size_t slash = rest.find('/'); slash != std::string_view::npos) {
        resource_ = rest.substr(slash + 1);
        rest = rest.substr(0, slash);
        if (resource_.empty())
            return "resourcepart after '/' is empty";
    }
    if (const std::size_t at = rest.find('@'); at != std::string_view::npos) {
        local_ = rest.substr(0, at);
        rest = rest.substr(at + 1);
        if (local_.empty())
            return "localpart before '@' is empty";
    }
    domain_ = rest;

    if (auto problem = CheckPart(local_, "localpart", false); !problem.empty())
        return problem;
    constexpr std::string_view kNotInLocal = "\"&'/:<>@";
    if (const std::size_t bad = local_.find_first_of(kNotInLocal); bad != std::string::npos)
        return std::string{"localpart contains '"} + local_[bad] + "'";
    if (auto problem = CheckDomain(domain_); !problem.empty())
        return problem;
    if (auto problem = CheckPart(resource_, "resourcepart", true); !problem.empty())
        return problem;
    if (auto problem = Prepare(local_, "localpart", idn::Nodeprep, "nodeprep", false);
        !problem.empty())
        return problem;
    return Prepare(resource_, "resourcepart", idn::Resourceprep, "resourceprep", true);
}

Jid Jid::Parse(std::string_view text)
{
    Jid jid;
    if (const auto problem = jid.Assign(text); !problem.empty())
        throw std::invalid_argument("invalid JID: " + problem);
    return jid;
}

std::optional<Jid> Jid::TryParse(std::string_view text)
{
    Jid jid;
    if (!jid.Assign(text).empty())
        return std::nullopt;
    return jid;
}

Jid Jid::Bare() const
{
    Jid bare = *this;
    bare.resource_.clear();
    return bare;
}

std::string Jid::ToString() const
{
    std::string out;
    out.reserve(local_.size() + domain_.size() + resource_.size() + 2);
    if (!local_.empty()) {
        out += local_;
        out += '@';
    }
    out += domain_;
    if (!resource_.empty()) {
        out += '/';
        out += resource_;
    }
    return out;
}

std::string BareOf(std::string_view jid)
{
    const auto parsed = Jid::TryParse(jid);
    return parsed ? parsed->Bare().ToString() : std::string(jid);
}

} // namespace pigeon::xmpp
