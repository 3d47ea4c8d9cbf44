#pragma once
// The client side of SCRAM (RFC 5802 SCRAM-SHA-1, RFC 7677 SCRAM-SHA-256)
// without channel binding (GS2 flag 'n') or an authorization identity. The
// password is used as given: SASLprep is not applied, which only matters for
// non-ASCII passwords.

#include "ssl/Digest.hxx"

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pigeon::bosh {

// The server's message is malformed, reports an error, or fails to prove it knows the password.
class ScramError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Scram {
public:
    // The hash of "SCRAM-SHA-1" or "SCRAM-SHA-256"; nullopt for anything else.
    static std::optional<ssl::Hash> HashOf(std::string_view mechanism) noexcept;

    // client_nonce is for tests; empty draws a random one. Throws std::runtime_error if no
    // random bytes are available, std::invalid_argument if client_nonce has a ','.
    Scram(ssl::Hash hash, std::string_view username, std::string password,
          std::string client_nonce = {});

    // "n,,n=<user>,r=<nonce>", the initial response.
    const std::string& ClientFirst() const noexcept { return client_first_; }

    // Answers the server-first message with the client-final one, proof included. Throws
    // ScramError if the message is malformed, demands an unknown extension, does not extend our
    // nonce or asks for an absurd iteration count; std::runtime_error if hashing fails.
    std::string ClientFinal(std::string_view server_first);

    // Checks the server-final message. Throws ScramError unless it carries the signature only a
    // server that knows the password can compute (including when it is "e=<error>").
    void VerifyServerFinal(std::string_view server_final) const;

private:
    ssl::Hash hash_;
    std::string password_;
    std::string nonce_;
    std::string client_first_;
    std::string server_signature_; // known once ClientFinal has run
};

} // namespace pigeon::bosh
