#pragma once
// The client side of SASL in XMPP (RFC 6120 section 6) for the mechanisms we
// speak: SCRAM-SHA-256 and SCRAM-SHA-1, and PLAIN where the transport is
// encrypted. Produces and checks the <auth/>, <response/> and <success/>
// elements; Session sends them.

#include "bosh/Scram.hxx"
#include "xml/Element.hxx"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::bosh {

class SaslClient {
public:
    // The strongest of the offered mechanisms we accept, or empty. PLAIN only when secure (the
    // password would otherwise cross the network readable). A non-empty forced mechanism is
    // the only one considered.
    static std::string Choose(const std::vector<std::string>& offered, std::string_view forced,
                              bool secure);

    // The mechanism names in a <stream:features/> element.
    static std::vector<std::string> Offered(const xml::Element& features);

    // mechanism must be one Choose returns. Throws std::invalid_argument otherwise,
    // std::runtime_error if no random bytes are available.
    SaslClient(std::string mechanism, std::string_view username, std::string password);

    const std::string& Mechanism() const noexcept { return mechanism_; }

    // <auth mechanism='...'>initial response</auth>
    xml::Element Auth() const;

    // The <response/> to a server <challenge/>. Throws ScramError if the challenge is malformed
    // or, being the server's final message, fails verification.
    xml::Element Respond(const xml::Element& challenge);

    // Checks a <success/>: for SCRAM its additional data, or the final challenge before it, must
    // prove the server knows the password. Throws ScramError when it does not.
    void Succeed(const xml::Element& success);

private:
    std::string mechanism_;
    std::string username_;
    std::string password_;       // PLAIN only
    std::optional<Scram> scram_; // SCRAM only
    bool final_sent_ = false;    // client-final message sent
    bool verified_ = false;      // server signature checked
};

} // namespace pigeon::bosh
