#include "xmpp/Jid.hxx"

#include "xml/Utf8.hxx"

#include <arpa/inet.h>

#include <algorithm>
#include <stdexcept>

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
        part.remove_prefix(n);
    }
    return {};
}

char AsciiLower(char c) noexcept
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string CheckDomain(std::string& domain)
{
    if (domain.ends_with('.'))
        domain.pop_back();
    if (domain.empty())
        return "domainpart is empty";
    if (auto problem = CheckPart(domain, "domainpart", false); !problem.empty())
        return problem;
    std::transform(domain.begin(), domain.end(), domain.begin(), AsciiLower);

    if (domain.front() == '[') {
        const std::string inside = domain.substr(1, domain.size() - 2);
        in6_addr addr{};
        if (!domain.ends_with(']') || domain.size() < 3 ||
            inet_pton(AF_INET6, inside.c_str(), &addr) != 1)
            return "domainpart is not a valid IPv6 literal";
        return {};
    }

    std::size_t label_bytes = 0;
    for (const char c : domain) {
        if (c == '.') {
            if (label_bytes == 0)
                return "domainpart has an empty label";
            label_bytes = 0;
            continue;
        }
        if (++label_bytes > kMaxLabelBytes)
            return "domainpart has a label longer than 63 bytes";
        const bool ok = static_cast<unsigned char>(c) >= 0x80 || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok)
            return std::string{"domainpart contains '"} + c + "'";
    }
    if (label_bytes == 0)
        return "domainpart has an empty label";
    return {};
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
    return CheckPart(resource_, "resourcepart", true);
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
