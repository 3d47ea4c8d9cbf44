#include "net/Interfaces.hxx"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <array>
#include <cstring>
#include <memory>

namespace pigeon::net {
namespace ip = boost::asio::ip;

namespace {

ip::address ToAddress(const sockaddr* sa, unsigned interface)
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
        v6.scope_id(interface);
    return v6;
}

std::array<unsigned char, 16> Bytes(const ip::address& x) noexcept
{
    std::array<unsigned char, 16> out{};
    if (x.is_v4()) {
        const auto v4 = x.to_v4().to_bytes();
        std::copy(v4.begin(), v4.end(), out.begin());
    } else {
        out = x.to_v6().to_bytes();
    }
    return out;
}

} // namespace

bool SameSubnet(const ip::address& a, const ip::address& b, const ip::address& mask) noexcept
{
    if (a.is_v4() != b.is_v4() || a.is_v4() != mask.is_v4())
        return false;
    const auto ab = Bytes(a), bb = Bytes(b), mb = Bytes(mask);
    for (std::size_t i = 0; i < ab.size(); ++i)
        if ((ab[i] & mb[i]) != (bb[i] & mb[i]))
            return false;
    return true;
}

std::vector<InterfaceAddress> InterfaceAddresses()
{
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0)
        return {};
    const std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> owner(list, freeifaddrs);
    std::vector<InterfaceAddress> out;
    for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
        if (i->ifa_addr == nullptr || (i->ifa_flags & IFF_UP) == 0 ||
            (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
            continue;
        InterfaceAddress entry;
        entry.name = i->ifa_name;
        entry.index = if_nametoindex(i->ifa_name);
        entry.loopback = (i->ifa_flags & IFF_LOOPBACK) != 0;
        entry.address = ToAddress(i->ifa_addr, entry.index);
        if (i->ifa_netmask != nullptr) {
            entry.netmask = ToAddress(i->ifa_netmask, entry.index);
        } else { // no mask: the address alone
            ip::address_v6::bytes_type ones;
            ones.fill(0xff);
            entry.netmask = entry.address.is_v4() ? ip::address(ip::address_v4::broadcast())
                                                  : ip::address(ip::address_v6(ones));
        }
        out.push_back(std::move(entry));
    }
    return out;
}

} // namespace pigeon::net
