#pragma once

#include "xml/StreamHeader.hxx"

#include <string_view>

// XML namespaces the daemon speaks, in one place so that a typo cannot hide in a string literal.
namespace pigeon::xmpp::ns {

// RFC 6120
inline constexpr std::string_view kClient = "jabber:client";
inline constexpr std::string_view kStreams = xml::kStreamsNs;
inline constexpr std::string_view kStreamErrors = "urn:ietf:params:xml:ns:xmpp-streams";
inline constexpr std::string_view kStanzaErrors = "urn:ietf:params:xml:ns:xmpp-stanzas";

// XEP-0359 Unique and Stable Stanza IDs (<origin-id/>, <stanza-id/>)
inline constexpr std::string_view kStanzaId = "urn:xmpp:sid:0";
// XEP-0297 Stanza Forwarding
inline constexpr std::string_view kForward = "urn:xmpp:forward:0";
// XEP-0203 Delayed Delivery
inline constexpr std::string_view kDelay = "urn:xmpp:delay";
// XEP-0184 Message Delivery Receipts
inline constexpr std::string_view kReceipts = "urn:xmpp:receipts";

// Our own extension elements.
inline constexpr std::string_view kPigeon = "urn:xmpp:pigeon:0";

} // namespace pigeon::xmpp::ns
