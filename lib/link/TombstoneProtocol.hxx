#pragma once
// Delivery tombstones between pigeon peers (doc/carry-protocol.md,
// "Tombstones"):
//
//   <iq type='set' id='..'><tombstones xmlns='urn:xmpp:pigeon:0'>
//     <item origin='..' id='..' to='..' until='RFC 3339' receipt='base64'
//           via='..' hops='N'/> ...
//   </tombstones></iq>
//
// answered by an empty result once taken. `receipt` (the recipient's
// signature over its receipt) may be absent: such a tombstone only stops
// handoffs. `via` and `hops` (the carrier that delivered it, the carriers on
// the way) may be absent too; they are for the origin's outbox only. A peer
// that does not know the element answers an error, which changes nothing.

#include "store/Model.hxx"
#include "xml/Element.hxx"

#include <span>
#include <string>
#include <vector>

namespace pigeon::link {

// The most items one request carries, and the most a peer's request is read for.
inline constexpr int kTombstonesPerRequest = 500;

xml::Element MakeTombstones(const std::string& iq_id, std::span<const store::Tombstone> items);

// The <tombstones/> child of an iq set, or nullptr if the stanza is something else.
const xml::Element* FindTombstones(const xml::Element& iq) noexcept;

// The well-formed items not expired at `now`, none verified yet, at most
// kTombstonesPerRequest. Never throws but std::bad_alloc.
std::vector<store::Tombstone> ParseTombstones(const xml::Element& tombstones, UnixMs now);

} // namespace pigeon::link
