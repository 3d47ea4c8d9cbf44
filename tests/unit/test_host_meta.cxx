#include "uplink/HostMeta.hxx"

#include "TempDir.hxx"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using namespace pigeon::uplink;

namespace {

std::string Xrd(const std::string& links)
{
    return "<?xml version='1.0' encoding='utf-8'?>\n"
           "<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>\n" +
           links + "</XRD>\n";
}

const std::string kBosh =
    "<Link rel='urn:xmpp:alt-connections:xbosh' href='https://example.org/http-bind'/>";
const std::string kPlainBosh =
    "<Link rel='urn:xmpp:alt-connections:xbosh' href='http://example.org/bosh'/>";
const std::string kWebsocket =
    "<Link rel='urn:xmpp:alt-connections:websocket' href='wss://example.org/ws'/>";

} // namespace

TEST_CASE("the xbosh link of a host-meta document is the BOSH URL")
{
    CHECK(BoshUrlFromHostMeta(Xrd(kWebsocket + kBosh), true) == "https://example.org/http-bind");
    CHECK(BoshUrlFromHostMeta(Xrd(kPlainBosh), false) == "http://example.org/bosh");
    // The first acceptable one wins.
    CHECK(BoshUrlFromHostMeta(Xrd(kPlainBosh + kBosh), false) == "http://example.org/bosh");
}

TEST_CASE("an https host-meta cannot send us to plain http")
{
    CHECK(BoshUrlFromHostMeta(Xrd(kPlainBosh + kBosh), true) == "https://example.org/http-bind");
    CHECK_THROWS_WITH_AS(BoshUrlFromHostMeta(Xrd(kPlainBosh), true),
                         doctest::Contains("plain-http"), HostMetaError);
}

TEST_CASE("documents without a usable xbosh link give no URL")
{
    CHECK_THROWS_AS(BoshUrlFromHostMeta(Xrd(kWebsocket), false), HostMetaError);
    CHECK_THROWS_AS(BoshUrlFromHostMeta(Xrd(""), false), HostMetaError);
    // Other schemes, empty and whitespace-laden hrefs, links outside the XRD namespace.
    CHECK_THROWS_AS(BoshUrlFromHostMeta(Xrd("<Link rel='urn:xmpp:alt-connections:xbosh' "
                                            "href='ftp://example.org/x'/>"),
                                        false),
                    HostMetaError);
    CHECK_THROWS_AS(
        BoshUrlFromHostMeta(Xrd("<Link rel='urn:xmpp:alt-connections:xbosh' href=''/>"), false),
        HostMetaError);
    CHECK_THROWS_AS(BoshUrlFromHostMeta(Xrd("<Link rel='urn:xmpp:alt-connections:xbosh' "
                                            "href='https://a b/'/>"),
                                        false),
                    HostMetaError);
    CHECK_THROWS_AS(BoshUrlFromHostMeta(Xrd("<Link xmlns='urn:other' "
                                            "rel='urn:xmpp:alt-connections:xbosh' "
                                            "href='https://example.org/http-bind'/>"),
                                        false),
                    HostMetaError);
}

TEST_CASE("what is not a host-meta document is refused, not trusted")
{
    // A captive portal's page.
    CHECK_THROWS_WITH_AS(BoshUrlFromHostMeta("<html><body>Log in to continue</body></html>", false),
                         doctest::Contains("captive portal"), HostMetaError);
    CHECK_THROWS_AS(BoshUrlFromHostMeta("<html><body>unclosed<br></body></html>", false),
                    HostMetaError);
    CHECK_THROWS_AS(BoshUrlFromHostMeta("", false), HostMetaError);
    CHECK_THROWS_AS(BoshUrlFromHostMeta("{\"links\": []}", false), HostMetaError);
    // The JSON form's content in XML clothes is still not XRD.
    CHECK_THROWS_AS(BoshUrlFromHostMeta("<XRD>" + kBosh + "</XRD>", false), HostMetaError);
    // XML that XMPP forbids stays forbidden here.
    CHECK_THROWS_AS(BoshUrlFromHostMeta("<!DOCTYPE XRD [<!ENTITY x 'y'>]>" + Xrd(kBosh), false),
                    HostMetaError);
}

TEST_CASE("the default host-meta URL is on the account's domain")
{
    CHECK(DefaultHostMetaUrl("elaine@example.org") == "https://example.org/.well-known/host-meta");
}

TEST_CASE("a discovered URL is remembered for the host-meta it came from")
{
    const pigeon::test::TempDir temp;
    const auto file = temp.dir / "bosh-url";
    CHECK_FALSE(LoadDiscoveredUrl(file, "https://example.org/.well-known/host-meta"));
    SaveDiscoveredUrl(file, "https://example.org/.well-known/host-meta", "https://example.org/b");
    CHECK(LoadDiscoveredUrl(file, "https://example.org/.well-known/host-meta") ==
          "https://example.org/b");
    // Another domain's host-meta must be asked again.
    CHECK_FALSE(LoadDiscoveredUrl(file, "https://other.org/.well-known/host-meta"));
    std::ofstream(file) << "https://example.org/.well-known/host-meta\njavascript:x\n";
    CHECK_FALSE(LoadDiscoveredUrl(file, "https://example.org/.well-known/host-meta"));
}
