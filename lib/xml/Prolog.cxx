#include "xml/Prolog.hxx"

#include "xml/StreamParser.hxx"
#include "xml/Utf8.hxx"

#include <algorithm>

namespace pigeon::xml {
namespace {

// An XML declaration longer than this is not one a real peer sends.
constexpr std::size_t kMaxXmlDeclBytes = 1024;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) noexcept
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               const auto lower = [](char c) {
                   return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
               };
               return lower(x) == lower(y);
           });
}

// The encoding named by a complete XML declaration, or nullopt if it names none (or is too
// garbled to tell; libxml2 then reports the syntax error).
std::optional<std::string_view> DeclaredEncoding(std::string_view decl) noexcept
{
    for (std::size_t at = decl.find("encoding"); at != std::string_view::npos;
         at = decl.find("encoding", at + 1)) {
        if (at == 0 || !IsXmlSpace(decl[at - 1]))
            continue;
        std::size_t i = at + 8;
        while (i < decl.size() && IsXmlSpace(decl[i]))
            ++i;
        if (i >= decl.size() || decl[i] != '=')
            continue;
        ++i;
        while (i < decl.size() && IsXmlSpace(decl[i]))
            ++i;
        if (i >= decl.size() || (decl[i] != '\'' && decl[i] != '"'))
            continue;
        const char quote = decl[i++];
        const std::size_t end = decl.find(quote, i);
        if (end == std::string_view::npos)
            return std::nullopt;
        return decl.substr(i, end - i);
    }
    return std::nullopt;
}

} // namespace

std::optional<std::string> Prolog::Take(std::string_view bytes)
{
    held_.append(bytes);
    std::string_view rest = held_;
    if (rest.size() < kUtf8Bom.size() && kUtf8Bom.starts_with(rest))
        return std::nullopt;
    if (rest.starts_with(kUtf8Bom))
        rest.remove_prefix(kUtf8Bom.size());

    constexpr std::string_view kDeclStart = "<?xml";
    if (rest.size() <= kDeclStart.size() && kDeclStart.starts_with(rest))
        return std::nullopt;
    if (rest.starts_with(kDeclStart) && IsXmlSpace(rest[kDeclStart.size()])) {
        const std::size_t end = rest.find("?>");
        if (end == std::string_view::npos) {
            if (rest.size() > kMaxXmlDeclBytes)
                throw StreamError("not-well-formed", "XML declaration too long");
            return std::nullopt;
        }
        const auto encoding = DeclaredEncoding(rest.substr(0, end));
        if (encoding && !EqualsIgnoringAsciiCase(*encoding, "UTF-8"))
            throw StreamError("unsupported-encoding",
                              "declared encoding '" + std::string{*encoding} + "'");
    }
    checked_ = true;
    std::string ready{rest};
    held_.clear();
    return ready;
}

} // namespace pigeon::xml
