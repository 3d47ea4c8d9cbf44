#pragma once
// The carrier handoff protocol between pigeon peers (doc/carry-protocol.md):
//
//   <iq type='set' id='..'><carry xmlns='urn:xmpp:pigeon:0'>
//     <item expires='RFC 3339' copies='n'><path><hop name='origin'/>..</path>
//       <forwarded xmlns='urn:xmpp:forward:0'>
//       <delay stamp='original send time'/><message from='origin' to='recipient' ...>
//         <origin-id id='..'/> ...</message></forwarded></item> ...
//   </carry></iq>
//
// answered, only after the carrier's durable commit, by
//
//   <iq type='result' id='..'><carried xmlns='urn:xmpp:pigeon:0'>
//     <item origin='..' id='..' status='stored|duplicate|refused' condition='..'/> ...
//   </carried></iq>
//
// or, when the whole request is refused, an <iq type='error'> with the RFC
// 6120 condition: forbidden (we do not carry for this origin),
// resource-constraint (quota), bad-request (malformed).

#include "crypto/Identity.hxx"
#include "util/Time.hxx"
#include "xml/Element.hxx"
#include "xml/Serializer.hxx"

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pigeon::link {

struct OutgoingItem {
    xml::Element forwarded; // xmpp::Forward(message, sent)
    UnixMs expires = 0;
    int copies = 1;                     // the budget the carrier gets (SprayRules)
    std::vector<std::string> path = {}; // who held it, the origin first and the giver last
};

// Takes the items: each forwarded message moves into the request, uncopied.
xml::Element MakeCarryRequest(const std::string& iq_id, std::vector<OutgoingItem> items);
// The prefixes a carry request is sent with (Stream::Send): declared once on
// the <iq>, they spare each item its own five namespace declarations, which
// were a quarter of what the carrier's parser spent on it.
std::span<const xml::NamespacePrefix> CarryPrefixes() noexcept;

// The <carry/> child of an iq set, or nullptr if the stanza is something else.
const xml::Element* FindCarry(const xml::Element& iq) noexcept;

struct IncomingItem {
    std::string origin;
    std::string origin_id;
    std::string to;
    UnixMs sent = 0;
    UnixMs expires = 0;
    std::string payload;   // the serialised <forwarded/>, kept as the carrier stores it
    std::string problem;   // empty when acceptable; else why it is refused
    std::string condition; // stanza error condition for the problem
    int copies = 1;        // its budget: 1 from a peer that names none
    std::vector<std::string> path = {}; // as handed over: empty from a peer that names none
};

// The origin's key (bare JID) if we know it; nullopt if not.
using OriginKeyOf = std::function<std::optional<crypto::PublicKey>(const std::string& bare_jid)>;

// Reads every item of a carry request; items that are malformed or expired
// at `now` come back with a problem set, and so do forged ones: with a seal
// and no signature, or, when `key_of` knows the origin's key, without a
// signature that key bears out (condition not-authorized). Never throws but
// what `key_of` throws.
std::vector<IncomingItem> ParseCarryRequest(const xml::Element& carry, UnixMs now,
                                            const OriginKeyOf& key_of = {});

struct ItemStatus {
    std::string origin;
    std::string origin_id;
    std::string status; // stored, duplicate, refused
    std::string condition;
};

xml::Element MakeCarryResult(const xml::Element& request, std::span<const ItemStatus> statuses);

// The shape both a carry result and a delivery result (CourierProtocol) take:
// <iq type='result'><CONTAINER xmlns='urn:xmpp:pigeon:0'><item origin=.. id=..
// status=.. [EXTRA=..]/>...</CONTAINER></iq>, `condition` holding EXTRA.
xml::Element MakeStatusResult(const xml::Element& request, std::string_view container,
                              std::span<const ItemStatus> statuses, std::string_view extra);
std::vector<ItemStatus> ParseStatusResult(const xml::Element& iq, std::string_view container,
                                          std::string_view extra);
// Statuses from a carry result; empty for anything else.
std::vector<ItemStatus> ParseCarryResult(const xml::Element& iq);

} // namespace pigeon::link
