// The stream parser on hostile or broken input: entities, DTDs, size,
// depth and name limits, bad encodings, malformed XML, and what follows.
#include "StreamParserTest.hxx"

#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

using namespace pigeon::test;

namespace {

long MaxRssKib()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

} // namespace

TEST_CASE("a billion laughs is refused without expanding anything")
{
    std::string doc = "<?xml version='1.0'?>\n<!DOCTYPE stream:stream [\n<!ENTITY lol0 'lol'>\n";
    for (int i = 1; i <= 9; ++i) {
        doc += "<!ENTITY lol" + std::to_string(i) + " '";
        for (int j = 0; j < 10; ++j)
            doc += "&lol" + std::to_string(i - 1) + ";";
        doc += "'>\n";
    }
    doc += "]>\n<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/"
           "streams'><message><body>&lol9;</body></message>";

    const long rss_before = MaxRssKib();
    const auto start = std::chrono::steady_clock::now();
    StreamParser parser;
    Events events;
    std::string condition;
    try {
        events = parser.Feed(doc);
    } catch (const StreamError& e) {
        condition = e.condition();
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(condition == "restricted-xml");
    CHECK(events.empty());
    CHECK(elapsed < std::chrono::milliseconds(500));
    // Expansion would take about 3 GB; allow for allocator noise only.
    CHECK(MaxRssKib() - rss_before < 32 * 1024);
}

TEST_CASE("DTDs, entities, comments and processing instructions are restricted XML")
{
    const std::string root = "<stream:stream xmlns='jabber:client' "
                             "xmlns:stream='http://etherx.jabber.org/streams'>";
    // External entity (XXE) in an internal subset, and an external subset.
    CHECK(ErrorOf("<?xml version='1.0'?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "
                  "\"file:///etc/passwd\">]>" +
                  root + "<message><body>&xxe;</body></message>") == "restricted-xml");
    CHECK(ErrorOf("<!DOCTYPE stream SYSTEM \"file:///etc/passwd\">" + root) == "restricted-xml");
    CHECK(ErrorOf("<!DOCTYPE stream>" + root) == "restricted-xml");

    CHECK(ErrorOf("<!-- hello -->" + root) == "restricted-xml");
    CHECK(ErrorOfBody("<!-- between stanzas -->") == "restricted-xml");
    CHECK(ErrorOfBody("<message><!-- inside --></message>") == "restricted-xml");
    CHECK(ErrorOfBody("<message><?php echo 1; ?></message>") == "restricted-xml");
    CHECK(ErrorOfBody("<?target data?>") == "restricted-xml");
    CHECK(ErrorOf("<?xml-stylesheet href='x'?>" + root) == "restricted-xml");
    // A second XML declaration, e.g. a peer restarting the stream without us resetting.
    CHECK(ErrorOfBody("<?xml version='1.0'?>") == "restricted-xml");

    // Entities nobody declared, in text and in attribute values.
    CHECK(ErrorOfBody("<message><body>&nbsp;</body></message>") == "restricted-xml");
    CHECK(ErrorOfBody("<message to='&foo;'/>") == "restricted-xml");
}

TEST_CASE("size and depth limits are policy violations")
{
    StreamLimits limits;
    limits.max_stanza_bytes = 1000;
    const std::string open = std::string{kHeader};

    const auto stanza_of = [](std::size_t bytes) {
        const std::string head = "<message><body>";
        const std::string tail = "</body></message>";
        return head + std::string(bytes - head.size() - tail.size(), 'a') + tail;
    };
    CHECK(stanza_of(1000).size() == 1000);

    SUBCASE("a stanza of exactly the limit passes, one byte more does not")
    {
        CHECK(ErrorOf(open + stanza_of(1000), limits).empty());
        CHECK(ErrorOf(open + stanza_of(1001), limits) == "policy-violation");
    }
    SUBCASE("the count restarts with each stanza, also within one chunk")
    {
        std::string doc = open;
        for (int i = 0; i < 50; ++i)
            doc += stanza_of(1000);
        const Events events = ParseWhole(doc, limits);
        CHECK(events.size() == 51);
    }
    SUBCASE("whitespace counts")
    {
        CHECK(ErrorOf(open + std::string(999, ' ') + "<a/>", limits) == "policy-violation");
        CHECK(ErrorOf(open + std::string(2000, ' '), limits) == "policy-violation");
    }
    SUBCASE("unterminated text is refused once it passes the limit")
    {
        StreamParser parser{limits};
        parser.Feed(open + "<message><body>");
        CHECK_NOTHROW(parser.Feed(std::string(900, 'x')));
        CHECK_THROWS_AS(parser.Feed(std::string(900, 'x')), StreamError);
    }
    SUBCASE("a huge stream header")
    {
        CHECK(ErrorOf("<stream:stream xmlns:stream='http://etherx.jabber.org/streams' a='" +
                          std::string(2000, 'x') + "'>",
                      limits) == "policy-violation");
    }
    SUBCASE("nesting")
    {
        // The root is depth 0 and a stanza depth 1, so max_depth levels of <a> fit.
        const auto nested = [](unsigned levels) {
            std::string s;
            for (unsigned i = 0; i < levels; ++i)
                s += "<a>";
            for (unsigned i = 0; i < levels; ++i)
                s += "</a>";
            return s;
        };
        CHECK(ErrorOfBody(nested(32)).empty());
        CHECK(ErrorOfBody(nested(33)) == "policy-violation");
        StreamLimits shallow;
        shallow.max_depth = 2;
        CHECK(ErrorOf(open + "<a><b/></a>", shallow).empty());
        CHECK(ErrorOf(open + "<a><b><c/></b></a>", shallow) == "policy-violation");
    }
}

TEST_CASE("a stream of ever-new names is closed once past its name budget")
{
    // Tiny stanzas, each within every other limit, each with a new element name, a new
    // attribute name and a new namespace: what grew libxml2's dictionary without bound.
    const auto fresh = [](std::size_t i) {
        const std::string n = std::to_string(i);
        return "<e" + n + " xmlns='urn:x:" + n + "' a" + n + "='v'/>";
    };
    StreamParser parser;
    parser.Feed(kHeader);
    std::size_t sent = 0;
    std::string condition;
    const auto started = std::chrono::steady_clock::now();
    try {
        for (; sent < 1'000'000; ++sent) {
            std::string chunk;
            for (int k = 0; k < 50; ++k)
                chunk += fresh(sent * 50 + k);
            parser.Feed(chunk);
        }
    } catch (const StreamError& e) {
        condition = e.condition();
        CHECK(std::string(e.what()).find("distinct names") != std::string::npos);
    }
    CHECK(condition == "policy-violation");
    // Three names a stanza: the 2000-name budget is spent within the first ~700 stanzas.
    CHECK(sent * 50 < 1000);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
}

TEST_CASE("long names are counted in bytes as well")
{
    StreamLimits limits;
    limits.max_name_bytes = 16 * 1024;
    StreamParser parser{limits};
    parser.Feed(kHeader);
    const auto long_names = [&parser] {
        for (int i = 0; i < 200; ++i)
            parser.Feed("<" + std::string(200, 'n') + std::to_string(i) + "/>");
    };
    CHECK_THROWS_WITH_AS(long_names(), doctest::Contains("bytes"), StreamError);
}

TEST_CASE("an honest stream that repeats its names is never near the name budget")
{
    StreamParser parser;
    parser.Feed(kHeader);
    const std::string stanza = "<message to='a@b' id='x' type='chat'><body>hi</body>"
                               "<origin-id xmlns='urn:xmpp:sid:0' id='1'/></message>";
    std::string chunk;
    for (int k = 0; k < 100; ++k)
        chunk += stanza;
    std::size_t stanzas = 0;
    for (int i = 0; i < 200; ++i)
        stanzas += parser.Feed(chunk).size();
    CHECK(stanzas == 20'000);
}

TEST_CASE("bytes that are not UTF-8 are an unsupported encoding")
{
    CHECK(ErrorOfBody("<message><body>\xC3\x28</body></message>") == "unsupported-encoding");
    CHECK(ErrorOfBody("<message><body>\xC0\xAF</body></message>") == "unsupported-encoding");
    CHECK(ErrorOfBody("<message><body>\xED\xA0\x80</body></message>") == "unsupported-encoding");
    CHECK(ErrorOfBody("<message><body>\xF4\x90\x80\x80</body></message>") ==
          "unsupported-encoding");
    CHECK(ErrorOfBody("<message><body>caf\xE9</body></message>") == "unsupported-encoding");
    CHECK(ErrorOfBody("<message to='\xFF'/>") == "unsupported-encoding");

    StreamParser split;
    split.Feed(std::string{kHeader} + "<message><body>\xE2\x82");
    CHECK_THROWS_AS(split.Feed("(</body></message>"), StreamError);

    CHECK(ErrorOf("<?xml version='1.0' encoding='ISO-8859-1'?><stream:stream "
                  "xmlns:stream='http://etherx.jabber.org/streams'>") == "unsupported-encoding");
    CHECK(ErrorOf("<?xml version=\"1.0\" encoding = \"UTF-16\"?>") == "unsupported-encoding");
    CHECK(ErrorOf("<?xml version='1.0' encoding='utf-8'?><stream:stream "
                  "xmlns:stream='http://etherx.jabber.org/streams'>")
              .empty());

    const std::string utf16le_bom{"\xFF\xFE<\0?\0x\0m\0l\0", 12};
    CHECK(ErrorOf(utf16le_bom) == "unsupported-encoding");
    const std::string utf16be_bom{"\xFE\xFF\0<\0?\0x\0m\0l", 12};
    CHECK(ErrorOf(utf16be_bom) == "unsupported-encoding");
    const std::string utf16le{"<\0s\0t\0r\0", 8};
    CHECK(ErrorOf(utf16le) == "unsupported-encoding");
    const std::string utf32be{"\0\0\0<", 4};
    CHECK(ErrorOf(utf32be) == "unsupported-encoding");

    // A UTF-8 byte order mark is harmless.
    const Events events = ParseWhole("\xEF\xBB\xBF" + std::string{kHeader} + "<presence/>");
    REQUIRE(events.size() == 2);
    CHECK(events[1].stanza.name == "presence");
}

TEST_CASE("malformed XML and wrong structure")
{
    CHECK(ErrorOfBody("<message></presence>") == "not-well-formed");
    CHECK(ErrorOfBody("<message to=x/>") == "not-well-formed");
    CHECK(ErrorOfBody("<message a='1' a='2'/>") == "not-well-formed");
    CHECK(ErrorOfBody("<message><body>\x01</body></message>") == "not-well-formed");
    CHECK(ErrorOfBody("<message><body>&#0;</body></message>") == "not-well-formed");
    CHECK(ErrorOfBody("<message><body>&#xFFFE;</body></message>") == "not-well-formed");
    // libxml2 judges "&" only once a ';' has arrived, and text once a '<' has.
    CHECK(ErrorOfBody("<message><body>a & b;</body></message>") == "not-well-formed");
    CHECK(ErrorOfBody("<message><body>\xEF\xBF\xBF</body></message>") == "not-well-formed");
    CHECK(ErrorOfBody("<foo:bar/>") == "bad-namespace-prefix");
    CHECK(ErrorOfBody("text between stanzas<presence/>") == "bad-format");

    CHECK(ErrorOf("<html xmlns='http://www.w3.org/1999/xhtml'>") == "invalid-namespace");
    CHECK(ErrorOf("<stream xmlns='jabber:client'>") == "invalid-namespace");
    CHECK(ErrorOf("<stream:stream xmlns:stream='urn:wrong'>") == "invalid-namespace");
    CHECK(ErrorOf("<stream:features xmlns:stream='http://etherx.jabber.org/streams'>") ==
          "invalid-namespace");
    CHECK(ErrorOf("<stream:stream>") == "bad-namespace-prefix");
}

TEST_CASE("the parser stays dead after an error")
{
    StreamParser parser;
    parser.Feed(kHeader);
    std::string first;
    try {
        parser.Feed("<message><!-- x --></message>");
    } catch (const StreamError& e) {
        first = e.condition();
    }
    CHECK(first == "restricted-xml");
    try {
        parser.Feed("<presence/>");
        FAIL("Feed after an error did not throw");
    } catch (const StreamError& e) {
        CHECK(e.condition() == first);
    }
    CHECK_THROWS_AS(parser.Feed(""), StreamError);
}

TEST_CASE("Reset starts a new document")
{
    StreamParser parser;
    Events first =
        parser.Feed(std::string{kHeader} + "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    REQUIRE(first.size() == 2);

    parser.Reset();
    Events second = parser.Feed("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                                "xmlns:stream='http://etherx.jabber.org/streams' id='s2'>"
                                "<presence/></stream:stream>");
    REQUIRE(second.size() == 3);
    CHECK(second[0].kind == Kind::Open);
    CHECK(second[0].header.Id() == "s2");
    CHECK(second[1].stanza.name == "presence");
    CHECK(second[2].kind == Kind::Close);

    // Reset also clears an error.
    CHECK_THROWS_AS(parser.Feed("<x/>"), StreamError);
    parser.Reset();
    CHECK(parser.Feed(kHeader).size() == 1);
}

TEST_CASE("libxml2 prints nothing on errors")
{
    std::FILE* capture = std::tmpfile();
    REQUIRE(capture != nullptr);
    std::fflush(stderr);
    const int saved = dup(STDERR_FILENO);
    dup2(fileno(capture), STDERR_FILENO);

    ErrorOfBody("<message></presence>");
    ErrorOfBody("<foo:bar/>");
    ErrorOfBody("<message><body>&nbsp;</body></message>");
    ErrorOf("<html/>");

    std::fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    std::fseek(capture, 0, SEEK_END);
    CHECK(std::ftell(capture) == 0);
    std::fclose(capture);
}

TEST_CASE("errors do not depend on where the input is split")
{
    const std::string root = "<stream:stream xmlns='jabber:client' "
                             "xmlns:stream='http://etherx.jabber.org/streams'>";
    const std::string bad_docs[] = {
        "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]>" + root,
        "<?xml version='1.0' encoding='ISO-8859-1'?>" + root,
        std::string{kHeader} + "<message><!-- c --></message>",
        std::string{kHeader} + "<message><body>&foo;</body></message>",
        std::string{kHeader} + "<message><body>\xE2\x82(</body></message>",
        std::string{kHeader} + "<message></presence>",
        "<html>",
    };
    for (const auto& doc : bad_docs) {
        CAPTURE(doc);
        const std::string whole = ErrorOf(doc);
        REQUIRE_FALSE(whole.empty());

        StreamParser bytewise;
        std::string condition;
        try {
            for (const char c : doc)
                bytewise.Feed(std::string_view{&c, 1});
        } catch (const StreamError& e) {
            condition = e.condition();
        }
        CHECK(condition == whole);
    }
}
