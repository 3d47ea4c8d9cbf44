#pragma once
// What a carrier answers to a carry request, decided from its policy, its
// quotas, what it holds and the items alone: no store and no stream, so that
// the rules can be read and tested in one place. CarrierDesk stores what it
// says to store and drops what it says to evict, in one transaction.
//
// Fair storage (doc/carry-protocol.md, "Quotas"): each item counts one
// message and its payload's bytes against the quotas per neighbour (who
// handed it over), per origin, and in total. An item past its neighbour's or
// its origin's quota is refused. One that does not fit the total makes room
// only at the expense of the biggest holder (the neighbour with the largest
// share of the total, messages or bytes, whichever is larger), and only
// while that holder would still hold more than the requester after taking
// the item: its copies nearest their expiry go first, then the oldest
// received. Otherwise it is refused. Our own outbox is never counted nor
// evicted. Refusals are resource-constraint, type wait: try later.

#include "link/CarryProtocol.hxx"
#include "store/Model.hxx"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pigeon::link {

// Whom we carry for: anybody, nobody, or the people in our roster.
enum class CarryPolicy { On, Off, Contacts };

using store::CarriedLoad;
using store::HeldCopy;

// The most we hold for others at once, in all, from one neighbour, and for
// one origin. A zero quota takes nothing.
struct CarryLimits {
    CarriedLoad total{100000, 1LL << 30};
    CarriedLoad per_neighbour{25000, 1LL << 28};
    CarriedLoad per_origin{25000, 1LL << 28};
    bool operator==(const CarryLimits&) const = default;
};

// Limits as pigeon.conf gives them, 0 meaning "derive it": the total bytes
// from `free_bytes` (a tenth of the free space where the store lives, at
// most 1 GiB, at least 1 MiB), the shares as a quarter of the total.
CarryLimits ResolveCarryLimits(const CarryLimits& configured, std::int64_t free_bytes) noexcept;

struct CarryRules {
    CarryPolicy policy = CarryPolicy::On;
    CarryLimits limits;
};

// What we hold for others now.
struct CarryHoldings {
    CarriedLoad total;
    std::map<std::string, CarriedLoad> by_neighbour; // every neighbour we hold anything from
    std::map<std::string, CarriedLoad> by_origin;    // at least the origins of the request
};

// Where a decision reads what we hold. `holdings` is asked once, only for a
// request that got past the policy and is not empty; `copies(neighbour,
// skip)` lists that neighbour's copies in eviction order from the `skip`th
// on (any non-empty page; empty when there are no more). `is_contact` is
// asked with a bare JID under carry = contacts.
struct CarryLookups {
    std::function<CarryHoldings()> holdings;
    std::function<std::vector<HeldCopy>(const std::string& neighbour, std::size_t skip)> copies;
    std::function<bool(const std::string& bare_jid)> is_contact;
};

// The whole request refused, answered as an iq error (RFC 6120).
struct CarryRefusal {
    std::string type;      // cancel, modify or wait
    std::string condition; // forbidden, bad-request or resource-constraint
    std::string text;      // for the peer
    std::string reason;    // for our handshake log; empty when not worth a line
};

struct CarryDecision {
    std::optional<CarryRefusal> refusal; // when set, `statuses` and `evict` are empty
    // One per item, in order: "stored" for what to store (the store may yet
    // find it a duplicate), "refused" with its condition for the rest.
    std::vector<ItemStatus> statuses;
    // Copies to drop to make room, in eviction order, with their holder.
    std::vector<std::pair<std::string, HeldCopy>> evict;
};

// Decides on `items`, handed over by `neighbour`. Throws what the lookups throw.
CarryDecision DecideCarry(const CarryRules& rules, const std::string& neighbour,
                          std::span<const IncomingItem> items, const CarryLookups& lookups);

} // namespace pigeon::link
