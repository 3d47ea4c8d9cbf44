#pragma once

#include "xml/StreamHeader.hxx"

#include <string_view>

// Every XMPP namespace (and the few other protocol names) the daemon speaks, in one place so that
// a typo cannot hide in a string literal. lib/xml keeps the XML-level ones it needs itself.
namespace pigeon::xmpp::ns {

// RFC 6120: streams, errors, SASL (section 6) and resource binding (section 7)
inline constexpr std::string_view kClient = "jabber:client";
inline constexpr std::string_view kStreams = xml::kStreamsNs;
inline constexpr std::string_view kStreamErrors = "urn:ietf:params:xml:ns:xmpp-streams";
inline constexpr std::string_view kStanzaErrors = "urn:ietf:params:xml:ns:xmpp-stanzas";
inline constexpr std::string_view kSasl = "urn:ietf:params:xml:ns:xmpp-sasl";
inline constexpr std::string_view kTls = "urn:ietf:params:xml:ns:xmpp-tls";
inline constexpr std::string_view kBind = "urn:ietf:params:xml:ns:xmpp-bind";
// RFC 3921 section 3 session establishment (optional since RFC 6120, still asked for by some)
inline constexpr std::string_view kSession = "urn:ietf:params:xml:ns:xmpp-session";
// XEP-0440 SASL Channel-Binding Type Capability
inline constexpr std::string_view kSaslChannelBinding = "urn:xmpp:sasl-cb:0";
// XEP-0198 Stream Management
inline constexpr std::string_view kStreamManagement = "urn:xmpp:sm:3";
// XEP-0199 XMPP Ping
inline constexpr std::string_view kPing = "urn:xmpp:ping";
// RFC 6121 section 2 roster
inline constexpr std::string_view kRoster = "jabber:iq:roster";

// XEP-0124 Bidirectional-streams Over Synchronous HTTP (BOSH)
inline constexpr std::string_view kHttpBind = "http://jabber.org/protocol/httpbind";
// XEP-0206 XMPP Over BOSH
inline constexpr std::string_view kXBosh = "urn:xmpp:xbosh";
// XEP-0156 Discovering Alternative XMPP Connection Methods: the link relation (not a namespace)
// of a BOSH endpoint in host-meta
inline constexpr std::string_view kXboshRel = "urn:xmpp:alt-connections:xbosh";
// RFC 6415 host-meta is an XRD 1.0 document (OASIS)
inline constexpr std::string_view kXrd = "http://docs.oasis-open.org/ns/xri/xrd-1.0";

// XEP-0077 In-Band Registration
inline constexpr std::string_view kRegister = "jabber:iq:register";
// XEP-0030 Service Discovery
inline constexpr std::string_view kDiscoInfo = "http://jabber.org/protocol/disco#info";
// XEP-0115 Entity Capabilities
inline constexpr std::string_view kCaps = "http://jabber.org/protocol/caps";
// XEP-0060 Publish-Subscribe (and XEP-0163 PEP on top of it), with the FORM_TYPE of its
// publish options
inline constexpr std::string_view kPubsub = "http://jabber.org/protocol/pubsub";
inline constexpr std::string_view kPubsubPublishOptions =
    "http://jabber.org/protocol/pubsub#publish-options";
// XEP-0004 Data Forms
inline constexpr std::string_view kDataForms = "jabber:x:data";

// XEP-0359 Unique and Stable Stanza IDs (<origin-id/>, <stanza-id/>)
inline constexpr std::string_view kStanzaId = "urn:xmpp:sid:0";
// XEP-0297 Stanza Forwarding
inline constexpr std::string_view kForward = "urn:xmpp:forward:0";
// XEP-0203 Delayed Delivery
inline constexpr std::string_view kDelay = "urn:xmpp:delay";
// XEP-0184 Message Delivery Receipts
inline constexpr std::string_view kReceipts = "urn:xmpp:receipts";
// XEP-0334 Message Processing Hints
inline constexpr std::string_view kHints = "urn:xmpp:hints";

// Our own extension elements; also the XEP-0115 caps node by which pigeon agents recognise each
// other as carriers.
inline constexpr std::string_view kPigeon = "urn:xmpp:pigeon:0";
// The XEP-0163 PEP node that holds an agent's public key: one item, "current".
inline constexpr std::string_view kPigeonKeyNode = "urn:xmpp:pigeon:key:0";
// What a carrier reports to a message's origin: uploaded, or delivered with the recipient's
// signed receipt (doc/carry-protocol.md, "Custody").
inline constexpr std::string_view kPigeonCustody = "urn:xmpp:pigeon:custody:0";

// XEP-0313 Message Archive Management, with XEP-0059 Result Set Management for its pages
inline constexpr std::string_view kMam = "urn:xmpp:mam:2";
inline constexpr std::string_view kRsm = "http://jabber.org/protocol/rsm";

} // namespace pigeon::xmpp::ns
