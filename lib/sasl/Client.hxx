#pragma once
// One SASL authentication exchange, client side, through GNU SASL: the
// mechanism's messages are computed and checked by the library (SCRAM's
// proof, nonce and, at the end, the server's signature). Raw bytes in and
// out; the XMPP framing (base64 in <auth/>, <challenge/>...) is the caller's.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct Gsasl_session;

namespace pigeon::sasl {

// What ties the authentication to the TLS channel under it (RFC 5929, RFC 9266).
struct ChannelBinding {
    enum class Type { TlsUnique, TlsExporter };
    Type type;
    std::string data; // raw bytes

    // "tls-unique" or "tls-exporter", as XEP-0440 names them.
    std::string_view Name() const noexcept;
};

struct Credentials {
    std::string username; // the authentication identity (the JID's localpart)
    std::string password;
    // PBKDF2 runs on the event loop: a server may not make us spin for seconds.
    unsigned long max_iterations = 1'000'000;
};

class Client {
public:
    // Our mechanisms that this GNU SASL supports, strongest first.
    static std::vector<std::string> Supported();

    // binding: the channel to bind to, for a -PLUS mechanism and only for one. (GNU SASL 2.2
    // cannot send SCRAM's 'y' flag, "I could bind but you offered no -PLUS": its client-first
    // message with 'y' fails its own check. So a stripped -PLUS offer goes unnoticed, as with
    // a client that cannot bind at all.) Throws std::system_error (GsaslCategory) if the
    // mechanism is unknown or GNU SASL cannot start it, std::invalid_argument if a -PLUS
    // mechanism has no binding or another one has one.
    Client(const std::string& mechanism, Credentials credentials,
           std::optional<ChannelBinding> binding = std::nullopt);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    const std::string& Mechanism() const noexcept { return mechanism_; }

    // The next message to the server, given the server's last one (nothing for the first).
    // complete: the exchange is over on our side, and for SCRAM the server proved it knows
    // the password. Throws std::system_error (GsaslCategory) with what went wrong: a
    // malformed message, a nonce that is not ours, an absurd iteration count, a server
    // signature that does not match.
    struct Step {
        std::string output;
        bool complete = false;
    };
    Step Next(std::string_view input);

    bool Complete() const noexcept { return complete_; }

private:
    friend struct Callback;
    // What GNU SASL asks for and we did not set: the password, once the iteration count is
    // known to be sane. Returns a GNU SASL code.
    int Provide(int property) noexcept;
    std::string Failure(int rc) const;

    std::string mechanism_;
    Credentials credentials_;
    std::unique_ptr<Gsasl_session, void (*)(Gsasl_session*)> session_;
    unsigned steps_ = 0;
    bool complete_ = false;
    bool too_many_iterations_ = false;
};

} // namespace pigeon::sasl
