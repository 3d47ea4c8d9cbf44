#include "xml/Document.hxx"

#include <string>

namespace pigeon::xml {
namespace {

// The document goes inside a stream root so that StreamParser returns its root as one stanza.
// The prefix is unusual so that a document cannot use it without declaring it; Wrapped checks.
constexpr std::string_view kPrefix = "pigeon-document-wrapper";

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Length of the byte order mark and XML declaration that start text, if any: they must come
// before the wrapper's open tag. A malformed declaration is left to the parser.
std::size_t PrologLength(std::string_view text) noexcept
{
    std::size_t length = text.starts_with(kBom) ? kBom.size() : 0;
    const std::string_view rest = text.substr(length);
    constexpr std::string_view kDeclStart = "<?xml";
    if (rest.size() > kDeclStart.size() && rest.starts_with(kDeclStart)) {
        const char next = rest[kDeclStart.size()];
        if (next == ' ' || next == '\t' || next == '\r' || next == '\n') {
            if (const std::size_t end = rest.find("?>"); end != std::string_view::npos)
                length += end + 2;
        }
    }
    return length;
}

std::string Wrapped(std::string_view text)
{
    const std::string marker = std::string{kPrefix} + ":";
    if (text.find(marker) != std::string_view::npos)
        throw StreamError("bad-namespace-prefix", "reserved prefix " + std::string{kPrefix});
    const std::size_t prolog = PrologLength(text);
    // Inside the wrapper a DTD would only be a syntax error; it is a restricted one.
    const std::size_t root = text.find_first_not_of(" \t\r\n", prolog);
    if (root != std::string_view::npos && text.substr(root).starts_with("<!DOCTYPE"))
        throw StreamError("restricted-xml", "document type declaration");
    std::string out;
    out.reserve(text.size() + 2 * kPrefix.size() + kStreamsNs.size() + 40);
    out.append(text.substr(0, prolog));
    out.append("<").append(kPrefix).append(":stream xmlns:").append(kPrefix).append("='");
    out.append(kStreamsNs).append("'>");
    out.append(text.substr(prolog));
    out.append("</").append(kPrefix).append(":stream>");
    return out;
}

} // namespace

Element ParseDocument(std::string_view text, StreamLimits limits)
{
    if (text.size() > limits.max_stanza_bytes)
        throw StreamError("policy-violation", "document larger than " +
                                                  std::to_string(limits.max_stanza_bytes) +
                                                  " bytes");
    // The wrapper adds one level above the document's root.
    StreamLimits inner = limits;
    inner.max_depth = limits.max_depth + 1;
    // The size was checked above; the wrapper's own bytes must not count against it.
    inner.max_stanza_bytes = limits.max_stanza_bytes + 2 * kPrefix.size() + kStreamsNs.size() + 64;
    StreamParser parser{inner};
    std::vector<StreamParser::Event> events;
    try {
        events = parser.Feed(Wrapped(text));
    } catch (const StreamError& e) {
        if (e.condition() == "bad-format") // text beside the root, in document terms
            throw StreamError("not-well-formed", e.what());
        throw;
    }

    using Kind = StreamParser::Event::Kind;
    std::size_t roots = 0;
    for (const auto& event : events)
        roots += event.kind == Kind::Stanza ? 1 : 0;
    if (events.empty() || events.back().kind != Kind::Close)
        throw StreamError("not-well-formed", "document ends inside an element");
    if (roots == 0)
        throw StreamError("not-well-formed", "no root element");
    if (roots > 1)
        throw StreamError("not-well-formed", "more than one root element");
    for (auto& event : events)
        if (event.kind == Kind::Stanza)
            return std::move(event.stanza);
    throw StreamError("not-well-formed", "no root element"); // not reached
}

} // namespace pigeon::xml
