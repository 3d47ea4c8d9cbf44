// Our announcement as raw records: the same bytes avahi-daemon would build
// for a service, so that any DNS-SD browser resolves it as before.

#include "avahi/ServiceRecords.hxx"
#include "avahi/Txt.hxx"

#include <avahi-common/defs.h>
#include <avahi-common/strlst.h>
#include <doctest/doctest.h>

#include <string>
#include <system_error>

using namespace pigeon::avahi;

namespace {

std::vector<std::uint8_t> Bytes(const std::string& text)
{
    return {text.begin(), text.end()};
}

TxtRecord Parsed(const std::vector<std::uint8_t>& rdata)
{
    AvahiStringList* list = nullptr;
    REQUIRE(avahi_string_list_parse(rdata.data(), rdata.size(), &list) == 0);
    const StringListPtr owned(list);
    return FromStringList(owned.get());
}

} // namespace

TEST_CASE("a name goes on the wire as length-prefixed labels")
{
    CHECK(WireName("kramer.local") == Bytes("\x06kramer\x05local" + std::string(1, '\0')));
    // An escaped dot stays inside its label.
    CHECK(WireName("a\\.b.local") == Bytes("\x03"
                                           "a.b\x05local" +
                                           std::string(1, '\0')));
    CHECK_THROWS_AS(WireName(std::string(64, 'x') + ".local"), std::system_error);
    CHECK_THROWS_AS(WireName("a..local"), std::system_error);
}

TEST_CASE("a service is its SRV first, its TXT, and the two pointers")
{
    const TxtRecord txt = {{"txtvers", "1"}, {"status", "avail"}};
    const auto records =
        ServiceRecords("kramer@kramer", "_presence._tcp", "local", "kramer.local", 5298, txt);
    REQUIRE(records.size() == 4);
    // Avahi escapes the '@' (as \064); on the wire it is one byte again.
    const std::string service = "kramer\\064kramer._presence._tcp.local";

    const auto& srv = records[0];
    CHECK(srv.name == service);
    CHECK(srv.type == AVAHI_DNS_TYPE_SRV);
    CHECK(srv.unique);
    CHECK(srv.ttl == AVAHI_DEFAULT_TTL_HOST_NAME);
    // Priority 0, weight 0, port 5298 (0x14b2), then the target.
    auto expected = std::vector<std::uint8_t>{0, 0, 0, 0, 0x14, 0xb2};
    const auto target = WireName("kramer.local");
    expected.insert(expected.end(), target.begin(), target.end());
    CHECK(srv.rdata == expected);

    const auto& text = records[1];
    CHECK(text.name == service);
    CHECK(text.type == AVAHI_DNS_TYPE_TXT);
    CHECK(text.unique);
    CHECK(Parsed(text.rdata) == txt);

    CHECK(records[2].name == "_presence._tcp.local");
    CHECK(records[2].type == AVAHI_DNS_TYPE_PTR);
    CHECK_FALSE(records[2].unique);
    CHECK(records[2].rdata == WireName(service));
    CHECK(WireName(service)[0] == 13); // "kramer@kramer"

    CHECK(records[3].name == "_services._dns-sd._udp.local");
    CHECK(records[3].rdata == WireName("_presence._tcp.local"));
    CHECK_FALSE(records[3].unique);
}

TEST_CASE("an instance name with a dot or a space is one label")
{
    const auto records =
        ServiceRecords("z-user@b-host #2", "_presence._tcp", "local", "b-host.local", 1, {});
    const auto name = WireName(records[0].name);
    REQUIRE(name.size() > 17);
    CHECK(name[0] == 16); // "z-user@b-host #2"
    CHECK(ServiceName("a.b@host", "_presence._tcp", "local") ==
          "a\\.b\\064host._presence._tcp.local");
    CHECK(WireName(ServiceName("a.b@host", "_presence._tcp", "local"))[0] == 8);
}

TEST_CASE("an empty TXT record is one empty string")
{
    CHECK(ServiceTxt("x._presence._tcp.local", {}).rdata == std::vector<std::uint8_t>{0});
}

TEST_CASE("a name DNS-SD cannot carry is refused")
{
    CHECK_THROWS_AS(ServiceName(std::string(64, 'x'), "_presence._tcp", "local"),
                    std::system_error);
    CHECK_THROWS_AS(ServiceRecords("ok", "presence", "local", "h.local", 1, {}), std::system_error);
}
