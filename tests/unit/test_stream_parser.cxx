// The stream parser on well-formed input: stanzas, splits anywhere,
// UTF-8, text runs and large stanzas. Hostile input: test_stream_limits.
#include "StreamParserTest.hxx"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace pigeon::test;

namespace {

// A stream as a carrier might send it: features, a forwarded message with delay and origin-id,
// references and entities in text and attributes, prefixed elements and attributes, mixed
// content, CDATA, whitespace between stanzas.
const std::string kStream = std::string{kHeader} + R"(
  <stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>
  <message from='carrier@relay' to='alice@laptop/pigeon' type='chat' id='m1'>
    <forwarded xmlns='urn:xmpp:forward:0'>
      <delay xmlns='urn:xmpp:delay' stamp='2024-05-01T12:00:00Z'/>
      <message xmlns='jabber:client' from='bob@desk/x' to='alice@laptop' id="m0">
        <body>Fish &amp; chips &lt;3 &#x263A; caf&#233; "q" &apos;s&apos; &gt; &quot;</body>
        <origin-id xmlns='urn:xmpp:sid:0' id='4f6a'/>
      </message>
    </forwarded>
  </message>
  <iq type='get' id='q1'><query xmlns='urn:xmpp:pigeon:0' mode="a&amp;b&lt;c&#10;d&#38;&#x26;e"/></iq>
  <presence/>
  <p:custom xmlns:p='urn:xmpp:pigeon:0' p:attr='v'>mixed <b xmlns='x:y'>bold</b> tail<![CDATA[ <raw> & ]]></p:custom>
</stream:stream>)";

} // namespace

TEST_CASE("a realistic stream yields the header, each stanza and the close")
{
    const Events events = ParseWhole(kStream);
    REQUIRE(events.size() == 7);

    CHECK(events[0].kind == Kind::Open);
    const auto& header = events[0].header;
    CHECK(header.content_ns == "jabber:client");
    CHECK(header.From() == "carrier.example");
    CHECK(header.To() == "alice@laptop");
    CHECK(header.Id() == "s1");
    CHECK(header.Version() == "1.0");
    CHECK(header.Lang() == "en");
    CHECK(header.attrs.back().ns == pigeon::xml::kXmlNs);

    const Element& features = events[1].stanza;
    CHECK(events[1].kind == Kind::Stanza);
    CHECK(features.name == "features");
    CHECK(features.ns == "http://etherx.jabber.org/streams");
    const Element* starttls = features.Child("starttls", "urn:ietf:params:xml:ns:xmpp-tls");
    REQUIRE(starttls != nullptr);
    CHECK(starttls->Child("required", "urn:ietf:params:xml:ns:xmpp-tls") != nullptr);

    const Element& outer = events[2].stanza;
    CHECK(outer.name == "message");
    CHECK(outer.ns == "jabber:client");
    CHECK(outer.Attr("to") == "alice@laptop/pigeon");
    CHECK_FALSE(outer.FindAttr("xmlns").has_value());
    const Element* forwarded = outer.Child("forwarded", "urn:xmpp:forward:0");
    REQUIRE(forwarded != nullptr);
    const Element* delay = forwarded->Child("delay", "urn:xmpp:delay");
    REQUIRE(delay != nullptr);
    CHECK(delay->Attr("stamp") == "2024-05-01T12:00:00Z");
    const Element* inner = forwarded->Child("message", "jabber:client");
    REQUIRE(inner != nullptr);
    CHECK(inner->Attr("id") == "m0");
    CHECK(inner->ChildText("body", "jabber:client") ==
          "Fish & chips <3 \xE2\x98\xBA caf\xC3\xA9 \"q\" 's' > \"");
    const Element* origin = inner->Child("origin-id", "urn:xmpp:sid:0");
    REQUIRE(origin != nullptr);
    CHECK(origin->Attr("id") == "4f6a");

    const Element* query = events[3].stanza.Child("query", "urn:xmpp:pigeon:0");
    REQUIRE(query != nullptr);
    CHECK(query->Attr("mode") == "a&b<c\nd&&e");

    CHECK(events[4].stanza.name == "presence");
    CHECK(events[4].stanza.children.empty());

    const Element& custom = events[5].stanza;
    CHECK(custom.name == "custom");
    CHECK(custom.ns == "urn:xmpp:pigeon:0");
    REQUIRE(custom.attrs.size() == 1);
    CHECK(custom.attrs[0] == pigeon::xml::Attribute{"p:attr", "v", "urn:xmpp:pigeon:0"});
    REQUIRE(custom.children.size() == 3);
    CHECK(custom.children[0].IsText());
    CHECK(custom.children[0].text == "mixed ");
    CHECK(custom.children[1].name == "b");
    CHECK(custom.children[1].ns == "x:y");
    CHECK(custom.children[1].Text() == "bold");
    CHECK(custom.children[2].text == " tail <raw> & ");
    CHECK(custom.Text() == "mixed  tail <raw> & ");

    CHECK(events[6].kind == Kind::Close);
}

TEST_CASE("events do not depend on where the input is split")
{
    const Events expected = ParseWhole(kStream);
    REQUIRE(expected.size() == 7);
    const std::string_view doc = kStream;

    for (std::size_t cut = 0; cut <= doc.size(); ++cut) {
        StreamParser parser;
        const Events got = FeedPieces(parser, {doc.substr(0, cut), doc.substr(cut)});
        if (got != expected) {
            FAIL("split at " << cut << " changed the events");
            break;
        }
    }

    StreamParser bytewise;
    Events got;
    for (const char c : doc)
        for (auto& e : bytewise.Feed(std::string_view{&c, 1}))
            got.push_back(std::move(e));
    CHECK(got == expected);
}

TEST_CASE("multi-byte UTF-8 survives a split inside any sequence")
{
    const std::string body = "h\xC3\xA9llo \xE2\x98\xBA \xF0\x9D\x84\x9E \xE4\xB8\xAD";
    const std::string doc = std::string{kHeader} + "<message><body>" + body + "</body></message>";
    for (std::size_t cut = 0; cut <= doc.size(); ++cut) {
        StreamParser parser;
        const Events got = FeedPieces(
            parser, {std::string_view{doc}.substr(0, cut), std::string_view{doc}.substr(cut)});
        REQUIRE(got.size() == 2);
        CHECK(got[1].stanza.ChildText("body", "jabber:client") == body);
    }
}

TEST_CASE("text around children is one node per run, in document order, and never empty")
{
    const Events events =
        ParseWhole(std::string{kHeader} + "<m>a<![CDATA[]]>b&amp;c<x/><![CDATA[]]><y>t<z/></y>d"
                                          "<![CDATA[e]]></m><n><![CDATA[]]></n>");
    REQUIRE(events.size() == 3);
    const Element& m = events[1].stanza;
    REQUIRE(m.children.size() == 4);
    CHECK(m.children[0] == Element::MakeText("ab&c"));
    CHECK(m.children[1] == Element("x", "jabber:client"));
    const Element& y = m.children[2];
    REQUIRE(y.children.size() == 2);
    CHECK(y.children[0] == Element::MakeText("t"));
    CHECK(y.children[1] == Element("z", "jabber:client"));
    CHECK(m.children[3] == Element::MakeText("de"));
    CHECK(events[2].stanza.children.empty());
}

TEST_CASE("a stanza of thousands of children leaves the next one whole")
{
    std::string many = "<iq type='set'><carry xmlns='urn:xmpp:pigeon:0'>";
    for (int i = 0; i < 3000; ++i)
        many += "<item n='" + std::to_string(i) + "'><a/>x</item>";
    many += "</carry></iq>";
    StreamParser parser;
    parser.Feed(kHeader);
    const Events big = parser.Feed(many);
    REQUIRE(big.size() == 1);
    const Element* carry = big[0].stanza.Child("carry", "urn:xmpp:pigeon:0");
    REQUIRE(carry != nullptr);
    REQUIRE(carry->children.size() == 3000);
    CHECK(carry->children[2999].Attr("n") == "2999");
    CHECK(carry->children[2999].children.size() == 2);
    const Events small = parser.Feed("<message><body>hi</body></message>");
    REQUIRE(small.size() == 1);
    CHECK(small[0].stanza.ChildText("body", "jabber:client") == "hi");
}

TEST_CASE("bad UTF-8 is found wherever it falls after a run of ASCII")
{
    const std::string ascii(40, 'a');
    for (std::size_t at = 0; at <= ascii.size(); ++at) {
        const std::string head = ascii.substr(0, at);
        const std::string tail = ascii.substr(at);
        CHECK(ErrorOfBody("<m>" + head + "\xC3\xA9" + tail + "</m>").empty());
        CHECK(ErrorOfBody("<m>" + head + "\xC3" + tail + "</m>") == "unsupported-encoding");
        CHECK(ErrorOfBody("<m>" + head + "\xA9" + tail + "</m>") == "unsupported-encoding");
        CHECK(ErrorOfBody("<m>" + head + "\xE2\x82" + tail + "</m>") == "unsupported-encoding");
    }
}

TEST_CASE("events come out as soon as they are complete")
{
    StreamParser parser;
    Events open = parser.Feed(kHeader);
    REQUIRE(open.size() == 1);
    CHECK(open[0].kind == Kind::Open);
    CHECK(parser.Feed("<message><body>hi</body>").empty());
    Events stanza = parser.Feed("</message> ");
    REQUIRE(stanza.size() == 1);
    CHECK(stanza[0].stanza.ChildText("body", "jabber:client") == "hi");
    Events close = parser.Feed("</stream:stream>");
    REQUIRE(close.size() == 1);
    CHECK(close[0].kind == Kind::Close);

    // Nothing but whitespace may follow the end of the stream.
    CHECK_NOTHROW(parser.Feed("\n "));
    CHECK_THROWS_AS(parser.Feed("<presence/>"), StreamError);
}
