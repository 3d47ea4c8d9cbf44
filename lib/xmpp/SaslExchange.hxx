#pragma once
// SASL as XMPP frames it (RFC 6120 section 6), client side, over either
// transport: the mechanism chosen from <stream:features/>, the <auth/>,
// <response/> and <success/> elements. The mechanisms themselves are GNU
// SASL's (lib/sasl): SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS, SCRAM-SHA-256,
// SCRAM-SHA-1, strongest first, and PLAIN only inside verified TLS.

#include "sasl/Client.hxx"
#include "xml/Element.hxx"

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::xmpp {

// The server's message is malformed, reports an error, or fails to prove it knows the password.
class SaslError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What the transport under SASL gives it.
struct SaslChannel {
    bool encrypted = false; // TLS (c2s, or BOSH over https)
    bool verified = false;  // and the server's certificate was checked
    // The TLS channel to bind to, where we have its keying material (c2s). Never over BOSH:
    // the HTTP connections come and go under the session.
    std::optional<sasl::ChannelBinding> binding;
};

class SaslExchange {
public:
    struct Choice {
        std::string mechanism; // empty: none acceptable
        std::optional<sasl::ChannelBinding> binding;
    };

    // The mechanism names in a <stream:features/> element.
    static std::vector<std::string> Offered(const xml::Element& features);

    // The strongest offered mechanism we accept on this channel; a non-empty forced one is the
    // only one considered. A -PLUS mechanism needs a binding of a type the server accepts
    // (XEP-0440, when it says).
    static Choice Choose(const xml::Element& features, std::string_view forced,
                         const SaslChannel& channel);

    // Throws std::system_error if GNU SASL cannot start the mechanism.
    SaslExchange(Choice choice, sasl::Credentials credentials);

    const std::string& Mechanism() const noexcept { return client_.Mechanism(); }

    // <auth mechanism='...'>initial response</auth>. Throws SaslError.
    xml::Element Auth();

    // The <response/> to a server <challenge/>. Throws SaslError if the challenge is malformed
    // or, being the server's final message, fails verification.
    xml::Element Respond(const xml::Element& challenge);

    // Checks a <success/>: for SCRAM its additional data, or the final challenge before it,
    // must prove the server knows the password. Throws SaslError when it does not.
    void Succeed(const xml::Element& success);

private:
    std::string Step(std::string_view input);

    sasl::Client client_;
};

} // namespace pigeon::xmpp
