#include "xml/Document.hxx"

#include <doctest/doctest.h>

#include <string>

using pigeon::xml::Element;
using pigeon::xml::ParseDocument;
using pigeon::xml::StreamError;
using pigeon::xml::StreamLimits;

namespace {

constexpr std::string_view kHttpBind = "http://jabber.org/protocol/httpbind";

// The condition ParseDocument throws for text, or "" when it parses.
std::string ConditionOf(std::string_view text, StreamLimits limits = {})
{
    try {
        ParseDocument(text, limits);
        return {};
    } catch (const StreamError& e) {
        return e.condition();
    }
}

} // namespace

TEST_CASE("a BOSH response body becomes its root element")
{
    const Element body = ParseDocument(
        "<body xmlns='http://jabber.org/protocol/httpbind' sid='s1' requests='2'"
        " xmlns:xmpp='urn:xmpp:xbosh' xmpp:version='1.0'"
        " xmlns:stream='http://etherx.jabber.org/streams'>"
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
        "<mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>"
        "<message xmlns='jabber:client' from='a@b'><body>x &amp; &lt;y&gt; caf\xC3\xA9</body>"
        "</message></body>");
    CHECK(body.name == "body");
    CHECK(body.ns == kHttpBind);
    CHECK(body.Attr("sid") == "s1");
    CHECK(body.Attr("xmpp:version") == "1.0");
    REQUIRE(body.children.size() == 2);
    const Element* features = body.Child("features", "http://etherx.jabber.org/streams");
    REQUIRE(features != nullptr);
    CHECK(features->Child("mechanisms", "urn:ietf:params:xml:ns:xmpp-sasl") != nullptr);
    const Element* message = body.Child("message", "jabber:client");
    REQUIRE(message != nullptr);
    CHECK(message->ChildText("body", "jabber:client") == "x & <y> caf\xC3\xA9");
}

TEST_CASE("an XML declaration, BOM and surrounding whitespace are accepted")
{
    CHECK(ParseDocument("<?xml version='1.0'?><a/>").name == "a");
    CHECK(ParseDocument("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a/>\n").name == "a");
    CHECK(ParseDocument("\xEF\xBB\xBF<?xml version='1.0' encoding='utf-8'?><a/>").name == "a");
    CHECK(ParseDocument("\xEF\xBB\xBF<a/>").name == "a");
    CHECK(ParseDocument("  \r\n<a xmlns='x'>t</a>  \n").Text() == "t");
    // An empty body with no namespace stays in no namespace.
    CHECK(ParseDocument("<body/>").ns.empty());
}

TEST_CASE("documents that are not exactly one root element are rejected")
{
    CHECK(ConditionOf("") == "not-well-formed");
    CHECK(ConditionOf("   ") == "not-well-formed");
    CHECK(ConditionOf("<?xml version='1.0'?>") == "not-well-formed");
    CHECK(ConditionOf("<a/><b/>") == "not-well-formed");
    CHECK(ConditionOf("<a>") == "not-well-formed");
    CHECK(ConditionOf("<a></b>") == "not-well-formed");
    CHECK(ConditionOf("<a/>junk") == "not-well-formed");
    CHECK(ConditionOf("junk<a/>") == "not-well-formed");
    CHECK(ConditionOf("<a") == "not-well-formed");
    CHECK(ConditionOf("<a/><?xml version='1.0'?>") != "");
    CHECK(ConditionOf("<a/></stream:stream>") != "");
}

TEST_CASE("the wrapper cannot be escaped or borrowed")
{
    CHECK(ConditionOf("<a/></pigeon-document-wrapper:stream><b/>") == "bad-namespace-prefix");
    CHECK(ConditionOf("<pigeon-document-wrapper:x/>") == "bad-namespace-prefix");
    // An undeclared prefix is an error, as in any document.
    CHECK(ConditionOf("<stream:features/>") == "bad-namespace-prefix");
}

TEST_CASE("restricted XML is refused as in streams")
{
    CHECK(ConditionOf("<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>") == "restricted-xml");
    CHECK(ConditionOf("<?xml version='1.0'?>\n<!DOCTYPE a SYSTEM 'x'><a/>") == "restricted-xml");
    CHECK(ConditionOf("<a>&x;</a>") == "restricted-xml");
    CHECK(ConditionOf("<a><!-- c --></a>") == "restricted-xml");
    CHECK(ConditionOf("<!-- c --><a/>") == "restricted-xml");
    CHECK(ConditionOf("<a><?pi x?></a>") == "restricted-xml");
    CHECK(ConditionOf("<?xml-stylesheet href='x'?><a/>") == "restricted-xml");
    CHECK(ConditionOf("<?xml version='1.0' encoding='ISO-8859-1'?><a/>") == "unsupported-encoding");
    CHECK(ConditionOf("<a>\xC3</a>") == "unsupported-encoding");
    CHECK(ConditionOf(std::string_view("<a>\0</a>", 8)) == "unsupported-encoding");
    CHECK(ConditionOf("<a>\x01</a>") == "not-well-formed");
}

TEST_CASE("size and depth limits apply to the document")
{
    StreamLimits limits;
    limits.max_stanza_bytes = 100;
    limits.max_depth = 2;
    CHECK(ConditionOf("<a><b><c/></b></a>", limits) == "");
    CHECK(ConditionOf("<a><b><c><d/></c></b></a>", limits) == "policy-violation");
    CHECK(ConditionOf("<a>" + std::string(93, 'x') + "</a>", limits) == "");
    CHECK(ConditionOf("<a>" + std::string(94, 'x') + "</a>", limits) == "policy-violation");
    // Small limits are not eaten up by the wrapper.
    limits.max_stanza_bytes = 4;
    CHECK(ConditionOf("<a/>", limits) == "");
}
