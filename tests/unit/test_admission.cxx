// Which inbound link-local connections are taken (link/Admission).
#include "link/Admission.hxx"

#include <doctest/doctest.h>

using namespace pigeon;
using link::AdmissionRefusal;
using link::AdmissionRules;
using link::LinkAccept;
namespace ip = boost::asio::ip;

namespace {

net::InterfaceAddress Address(const char* name, unsigned index, const char* address,
                              const char* mask, bool loopback = false)
{
    net::InterfaceAddress a{name, index, loopback, ip::make_address(address),
                            ip::make_address(mask)};
    if (a.address.is_v6() && a.address.to_v6().is_link_local()) {
        auto v6 = a.address.to_v6();
        v6.scope_id(index);
        a.address = v6;
    }
    return a;
}

const std::vector<net::InterfaceAddress> kInterfaces = {
    Address("lo", 1, "127.0.0.1", "255.0.0.0", true),
    Address("eth0", 2, "192.168.1.10", "255.255.255.0"),
    Address("eth0", 2, "fe80::1", "ffff:ffff:ffff:ffff::"),
    Address("wlan0", 3, "169.254.7.7", "255.255.0.0"),
    Address("wlan0", 3, "fe80::1", "ffff:ffff:ffff:ffff::"),
    Address("vpn0", 4, "10.8.0.2", "255.255.255.0"),
};

ip::address Scoped(const char* address, unsigned scope)
{
    auto v6 = ip::make_address_v6(address);
    v6.scope_id(scope);
    return v6;
}

std::string Refusal(const AdmissionRules& rules, const ip::address& local, const char* remote,
                    std::size_t open = 0, std::size_t from = 0)
{
    return AdmissionRefusal(rules, kInterfaces, local, ip::make_address(remote), open, from);
}

} // namespace

TEST_CASE("link-local sources are taken on any interface but loopback by default")
{
    const AdmissionRules rules;
    CHECK(Refusal(rules, ip::make_address("169.254.7.7"), "169.254.3.4").empty());
    CHECK(Refusal(rules, Scoped("fe80::1", 2), "fe80::99").empty());
    CHECK_FALSE(Refusal(rules, ip::make_address("127.0.0.1"), "127.0.0.1").empty());
}

TEST_CASE("on-link: a source in the receiving interface's subnet, not another's")
{
    AdmissionRules rules;
    CHECK(Refusal(rules, ip::make_address("192.168.1.10"), "192.168.1.77").empty());
    CHECK(Refusal(rules, ip::make_address("192.168.1.10"), "::ffff:192.168.1.77").empty());
    CHECK_FALSE(Refusal(rules, ip::make_address("192.168.1.10"), "192.168.2.77").empty());
    CHECK_FALSE(Refusal(rules, ip::make_address("192.168.1.10"), "10.8.0.9").empty());
    CHECK_FALSE(Refusal(rules, ip::make_address("192.168.1.10"), "203.0.113.5").empty());
    rules.accept = LinkAccept::LinkLocal;
    CHECK_FALSE(Refusal(rules, ip::make_address("192.168.1.10"), "192.168.1.77").empty());
    CHECK(Refusal(rules, ip::make_address("192.168.1.10"), "169.254.1.1").empty());
    rules.accept = LinkAccept::Any;
    CHECK(Refusal(rules, ip::make_address("192.168.1.10"), "203.0.113.5").empty());
}

TEST_CASE("only the named interfaces, told apart by scope for the same fe80 address")
{
    AdmissionRules rules;
    rules.interfaces = {"wlan0"};
    CHECK(Refusal(rules, Scoped("fe80::1", 3), "fe80::99").empty());
    CHECK_FALSE(Refusal(rules, Scoped("fe80::1", 2), "fe80::99").empty());
    CHECK_FALSE(Refusal(rules, ip::make_address("192.168.1.10"), "192.168.1.77").empty());
    rules.interfaces = {"lo"}; // named, loopback is taken too
    CHECK(Refusal(rules, ip::make_address("127.0.0.1"), "169.254.1.1").empty());
}

TEST_CASE("an address we do not have is refused")
{
    CHECK_FALSE(Refusal({}, ip::make_address("192.0.2.1"), "169.254.1.1").empty());
}

TEST_CASE("caps per address and in all")
{
    AdmissionRules rules;
    rules.max_streams = 10;
    rules.max_per_address = 3;
    const auto local = ip::make_address("169.254.7.7");
    CHECK(Refusal(rules, local, "169.254.3.4", 9, 2).empty());
    CHECK_FALSE(Refusal(rules, local, "169.254.3.4", 9, 3).empty());
    CHECK_FALSE(Refusal(rules, local, "169.254.3.4", 10, 0).empty());
}

TEST_CASE("the stream cap is never more than half the descriptor limit")
{
    CHECK(link::StreamCap(64, 1024) == 64);
    CHECK(link::StreamCap(64, 100) == 50);
    CHECK(link::StreamCap(64, 1) == 1);
}

TEST_CASE("link-local addresses, also v4-mapped")
{
    CHECK(link::IsLinkLocal(ip::make_address("169.254.0.1")));
    CHECK(link::IsLinkLocal(ip::make_address("::ffff:169.254.9.9")));
    CHECK(link::IsLinkLocal(ip::make_address("fe80::1")));
    CHECK_FALSE(link::IsLinkLocal(ip::make_address("169.253.255.255")));
    CHECK_FALSE(link::IsLinkLocal(ip::make_address("fd00::1")));
}
