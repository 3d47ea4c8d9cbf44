#pragma once
// The order in which to try the targets of SRV records (RFC 2782): lowest
// priority first; within one priority, a weighted random draw, so that
// clients spread over the servers as their weights say.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pigeon::dns {

struct SrvRecord {
    std::string target;
    std::uint16_t port = 0;
    std::uint16_t priority = 0;
    std::uint16_t weight = 0;
    // Not from DNS: whatever the caller tags a record with (e.g. XEP-0368 direct TLS).
    bool tag = false;

    bool operator==(const SrvRecord&) const = default;
};

// A number in [0, bound] (bound included), e.g. crypto::RandomBelow(bound + 1).
using RandomUpTo = std::function<std::uint32_t(std::uint32_t bound)>;

// The records in the order to try them. Throws std::bad_alloc, and what random throws.
std::vector<SrvRecord> OrderSrv(std::vector<SrvRecord> records, const RandomUpTo& random);

} // namespace pigeon::dns
