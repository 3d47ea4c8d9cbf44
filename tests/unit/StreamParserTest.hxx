#pragma once
// What the StreamParser tests share: a stream header and ways to feed a
// parser and read what it made of the input, or the error it found.

#include "xml/StreamParser.hxx"

#include <string>
#include <string_view>
#include <vector>

namespace pigeon::test {

using xml::Element;
using xml::StreamError;
using xml::StreamLimits;
using xml::StreamParser;
using Kind = StreamParser::Event::Kind;
using Events = std::vector<StreamParser::Event>;

constexpr std::string_view kHeader =
    "<?xml version='1.0'?>"
    "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"
    " from='carrier.example' to='alice@laptop' id='s1' version='1.0' xml:lang='en'>";

inline Events FeedPieces(StreamParser& parser, const std::vector<std::string_view>& pieces)
{
    Events all;
    for (const auto piece : pieces)
        for (auto& e : parser.Feed(piece))
            all.push_back(std::move(e));
    return all;
}

inline Events ParseWhole(std::string_view doc, StreamLimits limits = {})
{
    StreamParser parser{limits};
    return parser.Feed(doc);
}

// The condition of the StreamError that feeding doc (whole) throws, or "" if none.
inline std::string ErrorOf(std::string_view doc, StreamLimits limits = {})
{
    StreamParser parser{limits};
    try {
        parser.Feed(doc);
    } catch (const StreamError& e) {
        return e.condition();
    }
    return {};
}

inline std::string ErrorOfBody(std::string_view stanza)
{
    return ErrorOf(std::string{kHeader} + std::string{stanza});
}

} // namespace pigeon::test
