#pragma once
// Whether to take an inbound link-local connection, before a byte is read
// (pure: the caller gives the interfaces and the counts). XEP-0174 is a
// protocol of the link: a connection is taken only on an interface we talk
// on (those named, or every one but loopback), from a link-local source or,
// if allowed, one on that interface's subnets; and only while the streams
// from its address, and all streams, stay under their caps.

#include "net/Interfaces.hxx"

#include <boost/asio/ip/address.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace pigeon::link {

enum class LinkAccept {
    LinkLocal, // 169.254.0.0/16 and fe80::/10 only
    OnLink,    // those, or an address in a subnet of the receiving interface
    Any,       // any source (the interface rule still holds)
};

struct AdmissionRules {
    LinkAccept accept = LinkAccept::OnLink;
    std::vector<std::string> interfaces; // empty: all but loopback
    std::size_t max_streams = 64;        // every link-local stream, both ways
    std::size_t max_per_address = 8;     // inbound ones from one address
};

// Why a connection from `remote` to our `local` is refused, or empty if it
// is taken. `open` counts our streams, `open_from` those from `remote`.
std::string AdmissionRefusal(const AdmissionRules& rules,
                             const std::vector<net::InterfaceAddress>& interfaces,
                             const boost::asio::ip::address& local,
                             const boost::asio::ip::address& remote, std::size_t open,
                             std::size_t open_from);

// The interface an address of ours is on (by scope for link-local v6), or
// empty if none is.
std::string InterfaceOf(const std::vector<net::InterfaceAddress>& interfaces,
                        const boost::asio::ip::address& local);

// 169.254.0.0/16 or fe80::/10 (also as v4-mapped v6).
bool IsLinkLocal(const boost::asio::ip::address& address) noexcept;

// How many streams we may hold with `fd_limit` descriptors: never more
// than half, so the control socket, the store and avahi always have theirs.
std::size_t StreamCap(std::size_t configured, std::size_t fd_limit) noexcept;

} // namespace pigeon::link
