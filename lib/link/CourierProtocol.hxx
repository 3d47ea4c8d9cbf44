#pragma once
// What a carrier and the people its messages concern say over a link-local
// stream (doc/carry-protocol.md, "Meeting the recipient" and "Meeting the
// origin"). To the recipient:
//
//   <iq type='set' id='..'><deliver xmlns='urn:xmpp:pigeon:0'>
//     <forwarded xmlns='urn:xmpp:forward:0'>..as carried..</forwarded> ...
//   </deliver></iq>
//
// answered, after the recipient's durable commit, by
//
//   <iq type='result' id='..'><delivered xmlns='urn:xmpp:pigeon:0'>
//     <item origin='..' id='..' status='received|held|refused' [receipt='..']/> ...
//   </delivered></iq>
//
// To the origin, what the carrier knows of its messages:
//
//   <iq type='set' id='..'><reports xmlns='urn:xmpp:pigeon:custody:0'>
//     <report .../> ...</reports></iq>
//
// answered by an empty result once the origin has taken them.

#include "store/Model.hxx"
#include "xml/Element.hxx"
#include "xmpp/Custody.hxx"

#include <span>
#include <string>
#include <vector>

namespace pigeon::link {

// Our carried copies as the request that hands them to their recipient. The
// stored payloads are parsed back; one that does not parse is left out
// (listed in `unreadable`). Throws std::bad_alloc only.
xml::Element MakeDeliverRequest(const std::string& iq_id, std::span<const store::CarriedItem> items,
                                std::vector<std::string>* unreadable = nullptr);
// The <deliver/> child of an iq set, or nullptr.
const xml::Element* FindDeliver(const xml::Element& iq) noexcept;

// What the recipient made of one copy.
struct DeliveredItem {
    std::string origin;
    std::string id;
    std::string status;  // received, held (unverified until the origin's key is known), refused
    std::string receipt; // with received: the recipient's receipt signature
};
inline constexpr std::string_view kReceived = "received";
inline constexpr std::string_view kHeld = "held";
inline constexpr std::string_view kRefused = "refused";

xml::Element MakeDeliverResult(const xml::Element& request, std::span<const DeliveredItem> items);
// The items of a deliver result; empty for anything else.
std::vector<DeliveredItem> ParseDeliverResult(const xml::Element& iq);

xml::Element MakeReportsRequest(const std::string& iq_id,
                                std::span<const xmpp::CustodyReport> reports);
// The <reports/> child of an iq set, or nullptr.
const xml::Element* FindReports(const xml::Element& iq) noexcept;
// Its well-formed reports.
std::vector<xmpp::CustodyReport> ParseReports(const xml::Element& reports);

} // namespace pigeon::link
