#pragma once
// What we learn about one announced instance: plain values, no Avahi types.

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pigeon::avahi {

struct Endpoint {
    // IPv6 link-local (fe80::/10) addresses also carry `interface` as their scope id.
    boost::asio::ip::address address;
    std::uint16_t port = 0;
    // The interface index the announcement was seen on.
    int interface = 0;

    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// TXT record as key -> value. A key without '=' reads as an empty value.
using TxtRecord = std::map<std::string, std::string>;

struct ServiceInfo {
    std::string instance;
    std::string host_name;
    TxtRecord txt;
    std::vector<Endpoint> endpoints;
};

} // namespace pigeon::avahi
