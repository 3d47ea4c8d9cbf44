#include "net/SourceAddress.hxx"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

namespace pigeon::net {
namespace ip = boost::asio::ip;

namespace {

ip::address ToAddress(const sockaddr* sa, int interface)
{
    if (sa->sa_family == AF_INET) {
        ip::address_v4::bytes_type bytes;
        std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr,
                    bytes.size());
        return ip::address_v4(bytes);
    }
    ip::address_v6::bytes_type bytes;
    std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, bytes.size());
    ip::address_v6 v6(bytes);
    if (v6.is_link_local())
        v6.scope_id(unsigned(interface));
    return v6;
}

// Whether `a` and `b` agree on the bits set in `mask`.
bool SameSubnet(const ip::address& a, const ip::address& b, const ip::address& mask)
{
    auto bytes = [](const ip::address& x) {
        std::array<unsigned char, 16> out{};
        if (x.is_v4()) {
            const auto v4 = x.to_v4().to_bytes();
            std::copy(v4.begin(), v4.end(), out.begin());
        } else {
            out = x.to_v6().to_bytes();
        }
        return out;
    };
    const auto ab = bytes(a), bb = bytes(b), mb = bytes(mask);
    for (std::size_t i = 0; i < ab.size(); ++i)
        if ((ab[i] & mb[i]) != (bb[i] & mb[i]))
            return false;
    return true;
}

} // namespace

std::optional<ip::address> SourceAddressFor(int interface, const ip::address& peer)
{
    char name[IF_NAMESIZE];
    if (interface <= 0 || if_indextoname(unsigned(interface), name) == nullptr)
        return std::nullopt;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0)
        return std::nullopt;
    const std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> owner(list, freeifaddrs);

    const int family = peer.is_v4() ? AF_INET : AF_INET6;
    const bool peer_link_local = peer.is_v6() && peer.to_v6().is_link_local();
    std::optional<ip::address> first;
    for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
        if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != family ||
            std::strcmp(i->ifa_name, name) != 0)
            continue;
        const auto ours = ToAddress(i->ifa_addr, interface);
        if (ours.is_v6() && ours.to_v6().is_link_local() != peer_link_local)
            continue; // a link-local peer answers only to a link-local source, and the reverse
        if (i->ifa_netmask != nullptr &&
            SameSubnet(ours, peer, ToAddress(i->ifa_netmask, interface)))
            return ours;
        if (!first)
            first = ours;
    }
    return first;
}

} // namespace pigeon::net
