#pragma once
// Summary vectors between pigeon peers (doc/carry-protocol.md, "Summary
// vectors"): once per contact each side says what it holds and what it knows
// was delivered, so that a short contact is spent on news only:
//
//   <iq type='set' id='..'><summary xmlns='urn:xmpp:pigeon:0'>
//     <held count='n'>BASE64</held> <delivered count='m'>BASE64</delivered>
//   </summary></iq>
//
// each text being n (m) 8-byte big-endian hashes in strictly ascending order,
// answered by an empty result, or a bad-request error for a summary that
// breaks these rules (then nothing is skipped: the contact goes on as with an
// older peer, which answers service-unavailable).

#include "xml/Element.hxx"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::link {

// The most hashes of each kind a summary carries, and is read for: both
// lists in base64 stay well under the 256 KiB stanza limit.
inline constexpr std::size_t kMaxSummaryHeld = 12'288;
inline constexpr std::size_t kMaxSummaryDelivered = 4'096;

// Message `origin_id` of `origin` (bare JID): the first 8 bytes of SHA-256
// over its fields, read big-endian. Throws std::runtime_error if OpenSSL fails.
std::uint64_t SummaryHash(std::string_view origin, std::string_view origin_id);
// A tombstone's entry: the message's hash with its lowest bit saying whether
// the tombstone holds the recipient's receipt.
std::uint64_t TombstoneEntry(std::uint64_t hash, bool with_receipt) noexcept;

struct Summary {
    std::vector<std::uint64_t> held;      // copies on their way, sorted
    std::vector<std::uint64_t> delivered; // tombstone entries, sorted

    bool Holds(std::uint64_t hash) const noexcept;
    // Whether the peer needs no tombstone with `entry`: it knows it, with a
    // receipt or without one when ours has none either.
    bool Knows(std::uint64_t entry) const noexcept;
};

// Sorts and de-duplicates each list and keeps at most the caps.
xml::Element MakeSummary(const std::string& iq_id, Summary summary);

// The <summary/> child of an iq set, or nullptr if the stanza is something else.
const xml::Element* FindSummary(const xml::Element& iq) noexcept;

struct ParsedSummary {
    Summary summary;
    std::string problem; // empty if the summary is well-formed; else why not
};
// Reads a <summary/>: a list missing, not base64, of another length than its
// count says, over its cap or not strictly ascending is a problem. Never
// throws but std::bad_alloc.
ParsedSummary ParseSummary(const xml::Element& summary);

} // namespace pigeon::link
