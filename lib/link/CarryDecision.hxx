#pragma once
// What a carrier answers to a carry request, decided from its policy, its
// quota and the items alone: no store and no stream, so that the rules can
// be read and tested in one place. CarrierDesk stores what it says to store.

#include "link/CarryProtocol.hxx"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pigeon::link {

// Whom we carry for: anybody, nobody, or the people in our roster.
enum class CarryPolicy { On, Off, Contacts };

struct CarryRules {
    CarryPolicy policy = CarryPolicy::On;
    std::int64_t quota = 0; // the most messages we hold for others at once
};

// The whole request refused, answered as an iq error (RFC 6120).
struct CarryRefusal {
    std::string type;      // cancel, modify or wait
    std::string condition; // forbidden, bad-request or resource-constraint
    std::string text;      // for the peer
    std::string reason;    // for our handshake log; empty when not worth a line
};

struct CarryDecision {
    std::optional<CarryRefusal> refusal; // when set, `statuses` is empty
    // One per item, in order: "stored" for what to store (the store may yet
    // find it a duplicate), "refused" with its condition for the rest.
    std::vector<ItemStatus> statuses;
};

// `carrying` says how many messages we hold now; it is asked only for a
// request that got past the policy and is not empty. `is_contact` is asked
// with a bare JID under carry = contacts. Throws what they throw.
CarryDecision DecideCarry(const CarryRules& rules, std::span<const IncomingItem> items,
                          const std::function<std::int64_t()>& carrying,
                          const std::function<bool(const std::string& bare_jid)>& is_contact);

} // namespace pigeon::link
