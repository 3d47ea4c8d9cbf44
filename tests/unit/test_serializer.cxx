#include "xml/Serializer.hxx"
#include "xml/StreamParser.hxx"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

using pigeon::xml::Element;
using pigeon::xml::Serialize;
using pigeon::xml::StreamCloseTag;
using pigeon::xml::StreamHeader;
using pigeon::xml::StreamOpenTag;
using pigeon::xml::StreamParser;

namespace {

constexpr std::string_view kClient = "jabber:client";
constexpr std::string_view kSid = "urn:xmpp:sid:0";
constexpr std::string_view kPigeon = "urn:xmpp:pigeon:0";

StreamHeader ClientHeader()
{
    StreamHeader header;
    header.content_ns = kClient;
    header.attrs = {{"from", "alice@laptop", ""},
                    {"to", "carrier.example", ""},
                    {"version", "1.0", ""},
                    {"xml:lang", "en", std::string{pigeon::xml::kXmlNs}}};
    return header;
}

// Writes stanza into a stream and parses that stream back.
std::vector<StreamParser::Event> RoundTrip(const Element& stanza)
{
    const StreamHeader header = ClientHeader();
    const std::string wire = StreamOpenTag(header) + Serialize(stanza, kClient) + StreamCloseTag();
    StreamParser parser;
    auto events = parser.Feed(wire);
    REQUIRE(events.size() == 3);
    CHECK(events[0].header == header);
    return events;
}

} // namespace

TEST_CASE("every special character survives a round trip through the parser")
{
    const std::string nasty =
        "& < > \" ' \t \n \r \r\n ]]> &amp; &#38; \xE2\x98\xBA \xF0\x9D\x84\x9E";

    Element message{"message", std::string{kClient}};
    message.SetAttr("to", nasty);
    message.SetAttr("xml:lang", "de");
    message.SetAttr("p:mark", nasty, std::string{kPigeon});
    Element& body = message.AddChild({"body", std::string{kClient}});
    body.AddText(nasty);
    Element& mixed = message.AddChild({"note", std::string{kPigeon}});
    mixed.AddText(" lead ");
    mixed.AddChild({"b", std::string{kPigeon}}).AddText(nasty);
    mixed.AddText(" tail\r");
    mixed.AddChild({"empty", ""});
    message.AddChild({"origin-id", std::string{kSid}}).SetAttr("id", "a'b\"c");

    const auto events = RoundTrip(message);
    CHECK(events[1].stanza == message);
    CHECK(events[1].stanza.ChildText("body", kClient) == nasty);
    CHECK(events[1].stanza.Attr("to") == nasty);
}

TEST_CASE("namespaces are declared only where they change")
{
    Element message{"message", std::string{kClient}};
    message.SetAttr("to", "bob@desk");
    message.AddChild({"body", std::string{kClient}}).AddText("hi");
    message.AddChild({"origin-id", std::string{kSid}}).SetAttr("id", "1");

    CHECK(Serialize(message, kClient) == "<message to='bob@desk'><body>hi</body><origin-id "
                                         "xmlns='urn:xmpp:sid:0' id='1'/></message>");
    CHECK(Serialize(message) == "<message xmlns='jabber:client' to='bob@desk'><body>hi</body>"
                                "<origin-id xmlns='urn:xmpp:sid:0' id='1'/></message>");

    // A child in no namespace under a default namespace has to undeclare it.
    Element outer{"x", std::string{kPigeon}};
    outer.AddChild({"plain", ""}).AddChild({"deeper", ""});
    CHECK(Serialize(outer, kPigeon) == "<x><plain xmlns=''><deeper/></plain></x>");

    // Stream-level elements use the stream: prefix and leave the default namespace alone.
    Element features{"features", std::string{pigeon::xml::kStreamsNs}};
    features.AddChild({"starttls", "urn:ietf:params:xml:ns:xmpp-tls"});
    features.AddChild({"bind", std::string{kClient}});
    CHECK(Serialize(features, kClient) ==
          "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>"
          "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><bind/></stream:features>");
    CHECK(RoundTrip(features)[1].stanza == features);

    // An attribute prefix is declared once and inherited.
    Element tagged{"item", std::string{kClient}};
    tagged.SetAttr("p:a", "1", std::string{kPigeon});
    tagged.AddChild({"sub", std::string{kClient}}).SetAttr("p:b", "2", std::string{kPigeon});
    CHECK(Serialize(tagged, kClient) ==
          "<item xmlns:p='urn:xmpp:pigeon:0' p:a='1'><sub p:b='2'/></item>");
    CHECK(RoundTrip(tagged)[1].stanza == tagged);
}

TEST_CASE("stream open and close tags")
{
    CHECK(StreamOpenTag(ClientHeader()) ==
          "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
          "xmlns:stream='http://etherx.jabber.org/streams' from='alice@laptop' "
          "to='carrier.example' version='1.0' xml:lang='en'>");
    CHECK(StreamCloseTag() == "</stream:stream>");

    StreamHeader bad = ClientHeader();
    bad.attrs.push_back({"id", "a\x01", ""});
    CHECK_THROWS_AS(StreamOpenTag(bad), std::invalid_argument);
}

TEST_CASE("what a peer would have to reject is never written")
{
    const auto text = [](std::string s) {
        Element e{"body", std::string{kClient}};
        e.AddText(s);
        return e;
    };
    const auto attr = [](std::string name, std::string value, std::string ns = {}) {
        Element e{"message", std::string{kClient}};
        e.attrs.push_back({std::move(name), std::move(value), std::move(ns)});
        return e;
    };

    for (const std::string& bad :
         {std::string{"\x01"}, std::string{"a\x0B"}, std::string{"\x1F"}, std::string{"\0", 1},
          std::string{"\xEF\xBF\xBE"}, std::string{"\xEF\xBF\xBF"}, std::string{"\xC3"},
          std::string{"\xC0\xAF"}, std::string{"\xED\xA0\x80"}}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(Serialize(text(bad)), std::invalid_argument);
        CHECK_THROWS_AS(Serialize(attr("to", bad)), std::invalid_argument);
        CHECK_THROWS_AS(Serialize(Element{"x", "urn:" + bad}), std::invalid_argument);
    }
    CHECK_NOTHROW(Serialize(text("\t\n\r \xC2\x85 \xEF\xBF\xBD \xF4\x8F\xBF\xBF")));

    for (const std::string bad_name :
         {"a b", "1a", "-a", "a<", "a>b", "a&b", "a'b", "a=b", "a/b", "a:b"}) {
        CAPTURE(bad_name);
        CHECK_THROWS_AS(Serialize(Element{bad_name, ""}), std::invalid_argument);
        CHECK_THROWS_AS(Serialize(attr(bad_name + "x", "v")), std::invalid_argument);
    }
    CHECK_THROWS_AS(Serialize(attr("a b", "v")), std::invalid_argument);
    CHECK_THROWS_AS(Serialize(attr("xmlns", "urn:x")), std::invalid_argument);
    CHECK_THROWS_AS(Serialize(attr("xmlns:p", "urn:x")), std::invalid_argument);
    CHECK_THROWS_AS(Serialize(attr("p:a", "v")), std::invalid_argument);
    CHECK_THROWS_AS(Serialize(attr("a", "v", "urn:x")), std::invalid_argument);
    CHECK_THROWS_AS(Serialize(attr("xml:lang", "en", "urn:x")), std::invalid_argument);
    CHECK_NOTHROW(Serialize(attr("xml:lang", "en")));

    Element dup{"message", std::string{kClient}};
    dup.attrs = {{"to", "a", ""}, {"to", "b", ""}};
    CHECK_THROWS_AS(Serialize(dup), std::invalid_argument);
    dup.attrs = {{"p:a", "1", "urn:x"}, {"q:a", "2", "urn:x"}};
    CHECK_THROWS_AS(Serialize(dup), std::invalid_argument);
    dup.attrs = {{"p:a", "1", "urn:x"}, {"p:b", "2", "urn:y"}};
    CHECK_THROWS_AS(Serialize(dup), std::invalid_argument);
}
