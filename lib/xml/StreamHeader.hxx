#pragma once

#include "xml/Element.hxx"

#include <string>
#include <string_view>
#include <vector>

namespace pigeon::xml {

// RFC 6120 stream namespace: the root element of every stream is {kStreamsNs}stream.
inline constexpr std::string_view kStreamsNs = "http://etherx.jabber.org/streams";

// The attributes of a <stream:stream> open tag. The element name and namespace are not stored:
// the parser refuses any other root, and StreamOpenTag always writes stream:stream.
struct StreamHeader {
    // The default namespace declared on the root, e.g. "jabber:client".
    std::string content_ns;
    std::vector<Attribute> attrs;

    // Empty when absent.
    std::string_view Attr(std::string_view name) const noexcept
    {
        return FindAttribute(attrs, name).value_or(std::string_view{});
    }
    std::string_view From() const noexcept { return Attr("from"); }
    std::string_view To() const noexcept { return Attr("to"); }
    std::string_view Id() const noexcept { return Attr("id"); }
    std::string_view Version() const noexcept { return Attr("version"); }
    std::string_view Lang() const noexcept { return Attr("xml:lang"); }

    bool operator==(const StreamHeader&) const = default;
};

} // namespace pigeon::xml
