#pragma once
// What a peer sees of a stanza we send: serialised, then parsed back inside a
// stream, as the tests of the link protocols check it.

#include "xml/Serializer.hxx"
#include "xml/StreamParser.hxx"

#include <doctest/doctest.h>

#include <string>

namespace pigeon::test {

inline xml::Element OverTheWire(const xml::Element& stanza)
{
    xml::StreamParser parser;
    const std::string text = "<stream:stream xmlns='jabber:client' "
                             "xmlns:stream='http://etherx.jabber.org/streams'>" +
                             xml::Serialize(stanza, "jabber:client");
    auto events = parser.Feed(text);
    REQUIRE(events.size() == 2);
    return events[1].stanza;
}

} // namespace pigeon::test
