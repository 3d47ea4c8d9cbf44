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

// Exact bytes for inputs that exercise every path of the writer: signatures and stored payloads
// are made over these bytes, so a faster writer must not change a single one.
TEST_CASE("exact output for escapes, runs and empty content")
{
    const std::string all = "a&b<c>d\"e'f\tg\nh\ri";
    Element e{"m", std::string{kClient}};
    e.SetAttr("v", all);
    e.SetAttr("q", "it's \"quoted\"");
    e.SetAttr("empty", "");
    e.AddText(all);
    CHECK(Serialize(e, kClient) == "<m v='a&amp;b&lt;c&gt;d&quot;e&apos;f&#9;g&#10;h&#13;i' "
                                   "q='it&apos;s &quot;quoted&quot;' empty=''>"
                                   "a&amp;b&lt;c&gt;d\"e'f\tg\nh&#13;i</m>");

    // Long runs with nothing to escape, nothing but escapes, escapes at both ends, next to
    // multi-byte characters.
    const std::string plain(300, 'x');
    CHECK(Serialize(Element::MakeText(plain)) == plain);
    CHECK(Serialize(Element::MakeText("&&<<>>\r\r")) == "&amp;&amp;&lt;&lt;&gt;&gt;&#13;&#13;");
    CHECK(Serialize(Element::MakeText("\xC3\xA9&\xC3\xA9<\xF0\x9F\x98\x80")) ==
          "\xC3\xA9&amp;\xC3\xA9&lt;\xF0\x9F\x98\x80");
    CHECK(Serialize(Element::MakeText("")).empty());
    CHECK(Serialize(Element::MakeText("\x7F ~")) == "\x7F ~");

    Element empty{"a", ""};
    CHECK(Serialize(empty) == "<a/>");
    empty.children.push_back(Element::MakeText(""));
    CHECK(Serialize(empty) == "<a></a>");
    empty.children.push_back(Element{"b", ""});
    empty.children.push_back(Element::MakeText(""));
    CHECK(Serialize(empty) == "<a><b/></a>");
}

TEST_CASE("exact output for inherited and redeclared namespaces")
{
    const std::string a = "urn:a";
    const std::string b = "urn:b";
    Element root{"r", a};
    Element& same = root.AddChild({"same", a});
    Element& other = same.AddChild({"other", b});
    other.AddChild({"back", a}).AddChild({"deep", a});
    other.AddChild({"in-b", b});
    same.AddChild({"after", a});
    root.AddChild({"none", ""}).AddChild({"a-again", a});
    CHECK(Serialize(root, a) == "<r><same><other xmlns='urn:b'><back xmlns='urn:a'><deep/></back>"
                                "<in-b/></other><after/></same><none xmlns=''>"
                                "<a-again xmlns='urn:a'/></none></r>");
    CHECK(Serialize(root, b).starts_with("<r xmlns='urn:a'><same><other xmlns='urn:b'>"));

    // A namespace URI is escaped like any attribute value.
    CHECK(Serialize(Element{"x", "urn:a&b'c\"d<e>"}) ==
          "<x xmlns='urn:a&amp;b&apos;c&quot;d&lt;e&gt;'/>");

    // Prefix bindings: inherited, rebound on a child, back in scope for the sibling after it,
    // xml: never declared, the stream prefix declared once.
    Element top{"top", a};
    top.SetAttr("p:x", "1", a);
    top.SetAttr("xml:lang", "en");
    Element& rebinding = top.AddChild({"c", a});
    rebinding.SetAttr("p:y", "2", b);
    rebinding.AddChild({"g", a}).SetAttr("p:z", "3", b);
    top.AddChild({"d", a}).SetAttr("p:w", "4", a);
    top.AddChild({"features", std::string{pigeon::xml::kStreamsNs}})
        .AddChild({"error", std::string{pigeon::xml::kStreamsNs}});
    CHECK(Serialize(top, a) == "<top xmlns:p='urn:a' p:x='1' xml:lang='en'>"
                               "<c xmlns:p='urn:b' p:y='2'><g p:z='3'/></c><d p:w='4'/>"
                               "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>"
                               "<stream:error/></stream:features></top>");
}

TEST_CASE("what is wrong is named exactly")
{
    const auto message = [](const Element& e) {
        try {
            (void)Serialize(e);
        } catch (const std::invalid_argument& error) {
            return std::string{error.what()};
        }
        return std::string{"(nothing thrown)"};
    };
    CHECK(message(Element::MakeText("ok & fine <\x01")) ==
          "text: it contains U+0001, which XML does not allow");
    CHECK(message(Element::MakeText("\xC3\xA9\xC3")) == "text: it is not valid UTF-8");
    CHECK(message(Element::MakeText("\xC3\xA9 \xEF\xBF\xBE")) ==
          "text: it contains U+FFFE, which XML does not allow");
    Element attr{"m", ""};
    attr.SetAttr("to", "bob&\x1F");
    CHECK(message(attr) == "value of attribute 'to': it contains U+001F, which XML does not allow");
    CHECK(message(Element{"x", "urn:\xFF"}) == "namespace: it is not valid UTF-8");
    CHECK(message(Element{"\xC3", ""}) == "invalid element name '\xC3'");
    CHECK(message(Element{"a\xC3\xA9", ""}) == "(nothing thrown)");
    Element dup{"m", ""};
    dup.attrs = {{"p:a", "1", "urn:x"}, {"a", "2", ""}, {"q:a", "3", "urn:x"}};
    CHECK(message(dup) == "duplicate attribute 'q:a'");
}

TEST_CASE("prefixes declared once on the element written stand for their namespaces below it")
{
    using pigeon::xml::NamespacePrefix;
    const NamespacePrefix prefixes[] = {{"c", kClient}, {"s", kSid}};
    Element iq{"iq", std::string{kClient}};
    iq.SetAttr("type", "set");
    Element& carry = iq.AddChild({"carry", std::string{kPigeon}});
    Element& message = carry.AddChild({"message", std::string{kClient}});
    message.SetAttr("to", "bob@desk");
    message.AddChild({"body", std::string{kClient}}).AddText("hi");
    message.AddChild({"origin-id", std::string{kSid}}).SetAttr("id", "1");
    message.AddChild({"sealed", std::string{kPigeon}}).AddText("x");
    // In the default namespace in scope, an element needs no prefix: the iq
    // and the sealed element inside c:message (whose default stays pigeon's).
    CHECK(Serialize(iq, kClient, prefixes) ==
          "<iq xmlns:c='jabber:client' xmlns:s='urn:xmpp:sid:0' type='set'>"
          "<carry xmlns='urn:xmpp:pigeon:0'><c:message to='bob@desk'><c:body>hi</c:body>"
          "<s:origin-id id='1'/><sealed>x</sealed></c:message></carry></iq>");
    CHECK(RoundTrip(iq)[1].stanza == iq); // the plain form still reads the same
    const std::string wire = StreamOpenTag(ClientHeader()) + Serialize(iq, kClient, prefixes);
    StreamParser parser;
    const auto events = parser.Feed(wire);
    REQUIRE(events.size() == 2);
    CHECK(events[1].stanza == iq);

    // An attribute's own binding of a declared prefix wins on its element and below.
    Element rebound{"r", std::string{kPigeon}};
    Element& child = rebound.AddChild({"x", std::string{kPigeon}});
    child.SetAttr("c:a", "1", "urn:other");
    child.AddChild({"m", std::string{kClient}});
    rebound.AddChild({"m", std::string{kClient}});
    CHECK(Serialize(rebound, kPigeon, prefixes) ==
          "<r xmlns:c='jabber:client' xmlns:s='urn:xmpp:sid:0'><x xmlns:c='urn:other' c:a='1'>"
          "<m xmlns='jabber:client'/></x><c:m/></r>");

    const auto refused = [&](std::span<const NamespacePrefix> p) {
        try {
            (void)Serialize(iq, kClient, p);
        } catch (const std::invalid_argument& error) {
            return std::string{error.what()};
        }
        return std::string{"(nothing thrown)"};
    };
    const NamespacePrefix twice[] = {{"c", kClient}, {"c", kSid}};
    CHECK(refused(twice) == "prefix 'c' declared twice");
    const NamespacePrefix xmlns[] = {{"xmlns", kClient}};
    CHECK(refused(xmlns) == "prefix 'xmlns' cannot be declared for 'jabber:client'");
    const NamespacePrefix unbound[] = {{"u", ""}};
    CHECK(refused(unbound) == "prefix 'u' cannot be declared for ''");
    const NamespacePrefix bad[] = {{"1x", kSid}};
    CHECK(refused(bad) == "invalid prefix name '1x'");
}
