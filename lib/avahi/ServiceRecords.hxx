#pragma once
// The four DNS-SD records (RFC 6763) that announce one service instance:
// the type's pointer to it, its SRV and TXT, and the type's own entry in the
// list of types. Built here, as raw records, because avahi-daemon lets only
// raw records skip probing (see Publisher.hxx for why ours may).

#include "avahi/ServiceInfo.hxx"

#include <cstdint>
#include <string>
#include <vector>

namespace pigeon::avahi {

struct RawRecord {
    std::string name; // escaped, as avahi-daemon takes names
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    bool unique = false; // SRV and TXT: ours alone; pointers are shared
    std::vector<std::uint8_t> rdata;
};

// The escaped full name of `instance` of `type` in `domain`, as
// "<instance>._presence._tcp.local". Throws std::system_error (an
// AVAHI_ERR_INVALID_* code) for names DNS-SD cannot carry.
std::string ServiceName(const std::string& instance, const std::string& type,
                        const std::string& domain);

// The service's records, SRV first: the one avahi-daemon checks against the
// names other local clients hold. `host` is the target's escaped FQDN.
// Throws std::system_error as ServiceName.
std::vector<RawRecord> ServiceRecords(const std::string& instance, const std::string& type,
                                      const std::string& domain, const std::string& host,
                                      std::uint16_t port, const TxtRecord& txt);

// The TXT record of the service named `service` (from ServiceName).
RawRecord ServiceTxt(const std::string& service, const TxtRecord& txt);

// `name` (escaped) in DNS wire format: length-prefixed labels, then a zero.
// Throws std::system_error (AVAHI_ERR_INVALID_DOMAIN_NAME).
std::vector<std::uint8_t> WireName(const std::string& name);

} // namespace pigeon::avahi
