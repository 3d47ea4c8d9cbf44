#pragma once
// The steps of a client session's set-up that do not depend on what carries
// it (RFC 6120 sections 4.9, 7; RFC 3921 section 3): resource binding, the
// legacy session establishment, initial presence, and reading conditions out
// of errors and failures.

#include "xml/Element.hxx"

#include <optional>
#include <string>
#include <string_view>

namespace pigeon::xmpp {

// <iq type='set' id='id'><bind><resource/></bind></iq>
xml::Element BindIq(const std::string& id, const std::string& resource);

// The full JID the server bound in its reply to BindIq, or nullopt.
std::optional<std::string> BoundJid(const xml::Element& reply);

// "<what> failed: <condition>" for an IQ of the set-up that got an error or no reply.
std::string IqFailure(std::string_view what, const std::optional<xml::Element>& reply);

// The server still requires RFC 3921 session establishment (non-optional <session/>).
bool NeedsSession(const xml::Element& features);

// <iq type='set' id='id'><session/></iq>
xml::Element SessionIq(const std::string& id);

// <iq type='get' id='id' to='to'><ping xmlns='urn:xmpp:ping'/></iq> (XEP-0199)
xml::Element PingIq(const std::string& id, const std::string& to);

// Initial presence, with extension (e.g. XEP-0115 caps) if given.
xml::Element InitialPresence(const std::optional<xml::Element>& extension);

// The name of the first child element in ns other than <text/>, e.g. a stream error or SASL
// failure condition; "undefined-condition" if none.
std::string Condition(const xml::Element& element, std::string_view ns);

// "authentication failed: <condition> (text)" for a SASL <failure/>.
std::string SaslFailure(const xml::Element& failure);

} // namespace pigeon::xmpp
