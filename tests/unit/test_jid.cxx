#include "xmpp/Jid.hxx"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

using pigeon::xmpp::Jid;

TEST_CASE("valid JIDs and their parts")
{
    struct Row {
        std::string text;
        std::string local, domain, resource, canonical;
    };
    const std::string max_label(63, 'a');
    const std::string max_part(1023, 'l');
    const Row rows[] = {
        {"example.com", "", "example.com", "", "example.com"},
        {"juliet@example.com", "juliet", "example.com", "", "juliet@example.com"},
        {"juliet@example.com/balcony", "juliet", "example.com", "balcony", ""},
        {"juliet@EXAMPLE.Com/Balcony", "juliet", "example.com", "Balcony",
         "juliet@example.com/Balcony"},
        {"example.com/resource", "", "example.com", "resource", ""},
        // The resource runs from the first '/', so it may hold '/' and '@'.
        {"a@b/c/d@e f", "a", "b", "c/d@e f", ""},
        {"example.com./r", "", "example.com", "r", "example.com/r"},
        // XEP-0174 link-local identities.
        {"user@kramer-laptop", "user", "kramer-laptop", "", ""},
        {"Juliet@desk_1", "juliet", "desk_1", "", "juliet@desk_1"},
        {"alice@[2001:DB8::1]/x", "alice", "[2001:db8::1]", "x", "alice@[2001:db8::1]/x"},
        {"[::1]", "", "[::1]", "", ""},
        {"bob@192.168.1.20", "bob", "192.168.1.20", "", ""},
        {"caf\xC3\xA9@b\xC3\xBC"
         "cher.example/\xE2\x98\xBA",
         "caf\xC3\xA9",
         "b\xC3\xBC"
         "cher.example",
         "\xE2\x98\xBA", ""},
        {"x@" + max_label + ".com", "x", max_label + ".com", "", ""},
        // Prepared by the stringprep profiles: nodeprep and nameprep fold case and normalize
        // (NFKC), resourceprep normalizes but keeps case.
        {"JULIET@Example.COM/Balcony", "juliet", "example.com", "Balcony",
         "juliet@example.com/Balcony"},
        {"Stra\xC3\x9F"
         "e@B\xC3\x9C"
         "CHER.example/\xEF\xBC\xA1",
         "strasse",
         "b\xC3\xBC"
         "cher.example",
         "A",
         "strasse@b\xC3\xBC"
         "cher.example/A"},
        {"x@xn--bcher-kva.example", "x", "xn--bcher-kva.example", "", ""},
        {"a@b-c.d", "a", "b-c.d", "", ""},
        {max_part + "@d", max_part, "d", "", ""},
        {"d/" + max_part, "", "d", max_part, ""},
    };
    for (const auto& row : rows) {
        CAPTURE(row.text);
        const Jid jid = Jid::Parse(row.text);
        CHECK(jid.Local() == row.local);
        CHECK(jid.Domain() == row.domain);
        CHECK(jid.Resource() == row.resource);
        CHECK(jid.IsBare() == row.resource.empty());
        CHECK(jid.ToString() == (row.canonical.empty() ? row.text : row.canonical));
        CHECK(Jid::Parse(jid.ToString()) == jid);
        REQUIRE(Jid::TryParse(row.text).has_value());
        CHECK(*Jid::TryParse(row.text) == jid);
    }
}

TEST_CASE("invalid JIDs say what is wrong")
{
    struct Row {
        std::string text;
        std::string complaint; // part of the exception message
    };
    const Row rows[] = {
        {"", "empty"},
        {"@example.com", "localpart before '@' is empty"},
        {"juliet@example.com/", "resourcepart after '/' is empty"},
        {"juliet@", "domainpart is empty"},
        {"/resource", "domainpart is empty"},
        {".", "domainpart is empty"},
        {"a@b@c", "domainpart contains '@'"},
        {"a@example..com", "empty label"},
        {".example.com", "empty label"},
        {"example.com..", "empty label"},
        {"a@" + std::string(64, 'x') + ".com", "label longer than 63 bytes"},
        {std::string(1024, 'l') + "@d", "localpart is longer than 1023 bytes"},
        {"d/" + std::string(1024, 'r'), "resourcepart is longer than 1023 bytes"},
        {"jul iet@example.com", "localpart contains whitespace"},
        {"juliet@exa mple.com", "domainpart contains whitespace"},
        {"juliet\xC2\xA0@example.com", "localpart contains whitespace"},
        {"jul\tiet@example.com", "localpart contains a control character"},
        {"juliet@example.com/a\x7F", "resourcepart contains a control character"},
        {"juliet@example.com/a\xC2\x85", "resourcepart contains a control character"},
        {"jul\"iet@example.com", "localpart contains '\"'"},
        {"jul&iet@example.com", "localpart contains '&'"},
        {"jul'iet@example.com", "localpart contains '''"},
        {"jul:iet@example.com", "localpart contains ':'"},
        {"jul<iet@example.com", "localpart contains '<'"},
        {"jul>iet@example.com", "localpart contains '>'"},
        {"juliet@example.com:5222", "domainpart contains ':'"},
        {"caf\xE9@example.com", "localpart is not valid UTF-8"},
        {"a@\xC3\x28.com", "domainpart is not valid UTF-8"},
        {"a@b/\xED\xA0\x80", "resourcepart is not valid UTF-8"},
        {"a@[::1", "not a valid IPv6 literal"},
        {"a@[nonsense]", "not a valid IPv6 literal"},
        {"a@[]", "not a valid IPv6 literal"},
        // Host name rules and bidi controls (issue 12).
        {"jerry@-bad-.org", "label '-bad-' starts or ends with a hyphen"},
        {"jerry@bad-.org", "starts or ends with a hyphen"},
        {"jerry@example.-org", "starts or ends with a hyphen"},
        {"\xE2\x80\xAE"
         "evil@example.org",
         "localpart contains U+202E, a bidi control"},
        {"jerry@example.org/\xE2\x80\xAEx", "resourcepart contains U+202E"},
        {"jerry@exa\xE2\x80\x8Fmple.org", "domainpart contains U+200F"},
        {"a\xE2\x81\xA6"
         "b@example.org",
         "localpart contains U+2066"},
        {"a@b!c.org", "domainpart contains '!'"},
        {"a@" + std::string(60, 'x') + "\xC3\xBC.org", "not a valid internationalized label"},
        // What the profiles themselves prohibit: private use, and mixed-direction text.
        {"a\xEE\x80\x80@example.org", "localpart is refused by nodeprep"},
        {"\xD7\x90"
         "a@example.org",
         "localpart is refused by nodeprep"},
        {"a@example.org/\xEF\xBF\xBE", "resourcepart"},
        {"\xC2\xAD@example.org", "localpart is empty once prepared"},
        // NFKC turns U+00A8 into a space and a combining mark: refused once prepared.
        {"x@a\xC2\xA8"
         "b.org",
         "domainpart contains whitespace once prepared"},
    };
    for (const auto& row : rows) {
        CAPTURE(row.text);
        CHECK_FALSE(Jid::TryParse(row.text).has_value());
        try {
            Jid::Parse(row.text);
            FAIL("accepted");
        } catch (const std::invalid_argument& e) {
            const std::string what = e.what();
            CAPTURE(what);
            CHECK(what.find(row.complaint) != std::string::npos);
        }
    }
}

TEST_CASE("bare JIDs and comparison")
{
    const Jid full = Jid::Parse("juliet@Example.com/balcony");
    const Jid bare = full.Bare();
    CHECK(bare.IsBare());
    CHECK(bare.ToString() == "juliet@example.com");
    CHECK(bare == Jid::Parse("juliet@example.com."));
    CHECK(full != bare);
    CHECK(full != Jid::Parse("juliet@example.com/Balcony"));
    CHECK(bare < full);
}

TEST_CASE("JIDs that prepare alike are equal")
{
    CHECK(Jid::Parse("Juliet@Example.com") == Jid::Parse("juliet@example.com"));
    CHECK(pigeon::xmpp::BareOf("ROMEO@Montague.lit/Orchard") == "romeo@montague.lit");
    // The resourcepart keeps its case.
    CHECK(Jid::Parse("a@b/R") != Jid::Parse("a@b/r"));
}
