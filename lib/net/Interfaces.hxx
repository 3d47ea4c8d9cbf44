#pragma once
// A snapshot of this host's interface addresses (getifaddrs), as plain
// values: enough to tell which interface a connection came in on and whether
// its source is on that interface's link.

#include <boost/asio/ip/address.hpp>

#include <string>
#include <vector>

namespace pigeon::net {

struct InterfaceAddress {
    std::string name;   // "eth0"
    unsigned index = 0; // if_nametoindex
    bool loopback = false;
    boost::asio::ip::address address; // link-local v6 with its scope
    boost::asio::ip::address netmask;
};

// Every address of every interface that is up. Empty if the kernel will
// not say. Does not throw but for std::bad_alloc.
std::vector<InterfaceAddress> InterfaceAddresses();

// Whether `a` and `b` agree on the bits set in `mask` (same family).
bool SameSubnet(const boost::asio::ip::address& a, const boost::asio::ip::address& b,
                const boost::asio::ip::address& mask) noexcept;

} // namespace pigeon::net
