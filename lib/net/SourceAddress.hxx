#pragma once
// Which of our addresses to dial a link-local peer from. XEP-0174 clients
// (libpurple's Bonjour among them) accept a connection only from an address
// they resolved for one of their buddies, that is from one our mDNS responder
// announces on that link; the kernel's own choice may be another (a VPN
// address, a preferred source on the route).

#include <boost/asio/ip/address.hpp>

#include <optional>

namespace pigeon::net {

// Our address on interface `interface` (an index) in the family of `peer`:
// the link-local one for a link-local peer, else one on the peer's subnet,
// else the first. Nothing if the interface has no address of that family.
// Does not throw.
std::optional<boost::asio::ip::address> SourceAddressFor(int interface,
                                                         const boost::asio::ip::address& peer);

} // namespace pigeon::net
