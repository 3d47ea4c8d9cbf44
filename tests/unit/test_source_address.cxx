// Which of our addresses a link-local dial comes from, checked on loopback,
// the one interface every machine (and every test namespace) has.
#include "net/SourceAddress.hxx"

#include <doctest/doctest.h>

#include <net/if.h>

namespace ip = boost::asio::ip;
using pigeon::net::SourceAddressFor;

TEST_CASE("an address of the interface, in the peer's subnet")
{
    const int lo = int(if_nametoindex("lo"));
    REQUIRE(lo > 0);
    const auto source = SourceAddressFor(lo, ip::make_address("127.0.0.42"));
    REQUIRE(source.has_value());
    CHECK(*source == ip::make_address("127.0.0.1"));
}

TEST_CASE("the family follows the peer")
{
    const int lo = int(if_nametoindex("lo"));
    const auto source = SourceAddressFor(lo, ip::make_address("::1"));
    if (source) // hosts without IPv6 have no ::1
        CHECK(*source == ip::make_address("::1"));
    CHECK_FALSE(SourceAddressFor(lo, ip::make_address("fe80::1")).has_value()); // lo has no fe80::
}

TEST_CASE("no such interface, no address")
{
    CHECK_FALSE(SourceAddressFor(0, ip::make_address("169.254.1.2")).has_value());
    CHECK_FALSE(SourceAddressFor(1 << 30, ip::make_address("169.254.1.2")).has_value());
}
