#pragma once
// Whether an inbound stream's source address is one its claimed instance
// resolves to (doc/carry-protocol.md, "Identity").

#include "avahi/ServiceInfo.hxx"

#include <boost/asio/ip/address.hpp>

#include <vector>

namespace pigeon::link {

// Compares addresses as the kernel would see them: v4-mapped v6 is v4, and
// the scope of a link-local v6 address does not matter for identity.
bool SameHost(const boost::asio::ip::address& a, const boost::asio::ip::address& b);

// Whether `address` is the host of one of `endpoints`.
bool Among(const std::vector<avahi::Endpoint>& endpoints, const boost::asio::ip::address& address);

} // namespace pigeon::link
