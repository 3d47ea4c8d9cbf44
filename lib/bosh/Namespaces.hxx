#pragma once
// Namespaces of the BOSH binding and of the stream negotiation it carries.

#include <string_view>

namespace pigeon::bosh::ns {

// XEP-0124 and XEP-0206
inline constexpr std::string_view kHttpBind = "http://jabber.org/protocol/httpbind";
inline constexpr std::string_view kXBosh = "urn:xmpp:xbosh";
// RFC 6120 SASL, resource binding; RFC 3921 session establishment
inline constexpr std::string_view kSasl = "urn:ietf:params:xml:ns:xmpp-sasl";
inline constexpr std::string_view kBind = "urn:ietf:params:xml:ns:xmpp-bind";
inline constexpr std::string_view kSession = "urn:ietf:params:xml:ns:xmpp-session";
// XEP-0077 In-Band Registration
inline constexpr std::string_view kRegister = "jabber:iq:register";

} // namespace pigeon::bosh::ns
