#include "net/SourceAddress.hxx"

#include "net/Interfaces.hxx"

namespace pigeon::net {
namespace ip = boost::asio::ip;

std::optional<ip::address> SourceAddressFor(int interface, const ip::address& peer)
{
    if (interface <= 0)
        return std::nullopt;
    const bool peer_link_local = peer.is_v6() && peer.to_v6().is_link_local();
    std::optional<ip::address> first;
    try {
        for (const auto& ours : InterfaceAddresses()) {
            if (ours.index != unsigned(interface) || ours.address.is_v4() != peer.is_v4())
                continue;
            if (ours.address.is_v6() && ours.address.to_v6().is_link_local() != peer_link_local)
                continue; // a link-local peer answers only to a link-local source, and the reverse
            if (SameSubnet(ours.address, peer, ours.netmask))
                return ours.address;
            if (!first)
                first = ours.address;
        }
    } catch (const std::exception&) {
        return std::nullopt; // out of memory: let the kernel choose
    }
    return first;
}

} // namespace pigeon::net
