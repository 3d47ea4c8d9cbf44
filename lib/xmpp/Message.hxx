#pragma once
// The stanzas pigeon exchanges, whatever carries them (a link-local stream
// or the server): a chat message with its XEP-0359 origin-id, XEP-0203 delay
// and XEP-0184 receipt request; the XEP-0297 forwarded wrapper a carrier
// holds; receipts; IQ errors.

#include "util/Time.hxx"
#include "xml/Element.hxx"

#include <optional>
#include <string>
#include <string_view>

namespace pigeon::xmpp {

struct ChatMessage {
    std::string from;
    std::string to;
    std::string id; // origin-id; also the stanza id
    std::string body;
    UnixMs sent = 0; // original send time; 0 = now, no delay element
    bool request_receipt = true;
};

// <message type='chat'> with body, receipt request, origin-id and (if sent
// is set) a delay stamp. Never throws for valid strings.
xml::Element ToStanza(const ChatMessage& message);

// Reads a chat/normal <message> with a body. The id is the origin-id if
// present, else the id attribute (may be empty). `sent` comes from a delay
// child, else 0. Returns nullopt for messages without a body.
std::optional<ChatMessage> ParseChatMessage(const xml::Element& message);

// <forwarded><delay stamp='sent'/><message .../></forwarded>
xml::Element Forward(xml::Element message, UnixMs sent);

struct Unwrapped {
    ChatMessage message;                  // sent taken from the forwarded delay
    const xml::Element* stanza = nullptr; // the inner <message>, inside the forwarded element
};
// Unwraps a <forwarded> element holding a chat message with origin-id and a
// delay. Returns nullopt when any of them is missing or malformed.
std::optional<Unwrapped> Unwrap(const xml::Element& forwarded);

// <message to='to'><received xmlns='urn:xmpp:receipts' id='id'/></message>
xml::Element MakeReceipt(const std::string& to, const std::string& id);
// The id acknowledged by a receipt message, if it is one.
std::optional<std::string> ReceiptId(const xml::Element& message);

// An empty <iq type='result'> answering `request`.
xml::Element MakeIqResult(const xml::Element& request);
// An <iq type='error'> answering `request`, with the RFC 6120 stanza error
// `condition` of `type` (cancel, modify, wait, auth) and optional text.
xml::Element MakeIqError(const xml::Element& request, std::string_view type,
                         std::string_view condition, std::string_view text = {});
// The stanza error condition of an error stanza, or empty.
std::string ErrorCondition(const xml::Element& stanza);
// The RFC 6120 error type of an error stanza (cancel, modify, wait, auth),
// or empty.
std::string ErrorType(const xml::Element& stanza);

} // namespace pigeon::xmpp
