#pragma once
// An XMPP client session over TCP (RFC 6120): the server found through DNS
// (Connector), TLS required (STARTTLS or direct), SASL (lib/sasl, with
// channel binding), resource binding, initial presence, and XEP-0198 stream
// management: a stanza's done(true) comes only once the server acknowledged
// it. A connection that breaks while the server keeps the stream resumable
// leaves the unacknowledged stanzas pending: the next Start resumes within
// the server's window and sends again what it had not taken; if resumption
// fails, a new session sends them again (recipients deduplicate by
// origin-id). A server without XEP-0198 acknowledges through an XEP-0199
// ping after the stanzas, processed in order. An idle session asks for an
// acknowledgement every `keepalive`; no answer within `ack_timeout` is a
// dead connection.

#include "c2s/Connector.hxx"
#include "c2s/Liveness.hxx"
#include "c2s/Login.hxx"
#include "c2s/StreamManagement.hxx"
#include "c2s/XmlStream.hxx"
#include "util/Alive.hxx"
#include "xml/Element.hxx"
#include "xmpp/ClientSession.hxx"
#include "xmpp/IqTracker.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pigeon::c2s {

struct Account {
    std::string jid; // bare JID, e.g. alice@example.org
    std::string password;
    std::string resource = "pigeon";
};

struct SessionOptions {
    ssl::TlsOptions tls;
    std::chrono::seconds connect_timeout{10};
    // Only this SASL mechanism; empty takes the strongest offered.
    std::string mechanism;
    // Added to the initial presence, e.g. an XEP-0115 <c/>.
    std::optional<xml::Element> presence_extension;
    std::chrono::seconds iq_timeout{60};
    std::chrono::seconds keepalive{240};
    std::chrono::seconds ack_timeout{15};
    xml::StreamLimits limits{1 << 20, 32};
    // false stops after TLS, unauthenticated and unbound (in-band registration).
    bool authenticate = true;
};

class Session final : public xmpp::ClientSession, XmlStream::Handler {
public:
    // Throws std::invalid_argument if account.jid is not a bare JID (with a localpart when
    // authenticating), std::runtime_error if no random bytes are available.
    Session(boost::asio::io_context& io, Account account, Listener& listener,
            SessionOptions options = {});
    ~Session() override;

    // As xmpp::ClientSession says. Start resumes the stream that broke, if the server still
    // holds it. Stop closes the stream, which ends it on the server too.
    void Start() override;
    void Stop(std::function<void()> done = {}) noexcept override;
    void Suspend() noexcept override;
    void Send(xml::Element stanza, std::function<void(bool accepted)> done = {}) override;
    void SendIq(xml::Element iq, std::function<void(std::optional<xml::Element>)> reply) override;
    bool Online() const noexcept override { return state_ == State::Online; }
    const std::string& FullJid() const noexcept override { return full_jid_; }
    void SetPassword(std::string password) override { account_.password = std::move(password); }

    // How the last session was set up (for status and logs): e.g. "TLSv1.3,
    // SCRAM-SHA-256-PLUS, resumed". Empty before.
    const std::string& Description() const noexcept { return description_; }

private:
    enum class State {
        Offline,
        Connecting,
        LoggingIn, // TLS, SASL (Login)
        Resuming,
        Binding,
        Enabling,
        Online,
    };

    void OnConnected(Connector::Outcome outcome);
    void OnStreamHeader(const xml::StreamHeader& header) noexcept override;
    void OnStreamElement(xml::Element element) noexcept override;
    void OnStreamEnd(const std::string& reason) noexcept override;

    void Handle(xml::Element element);
    void OnLoggedIn(const xml::Element& features);
    void OnStreamManagement(const xml::Element& element);
    void Resume();
    void OnResumed(const xml::Element& resumed);
    void Bind();
    void EnableStreamManagement();
    void GoOnline();
    void OnStanza(xml::Element stanza);

    void Transmit(xml::Element stanza, std::function<void(bool)> done);
    // After a batch of stanzas: one request for their acknowledgement, once the loop turns.
    void RequestAck();
    void Ask(bool keepalive) noexcept;
    void Acknowledge(std::uint32_t h);

    // The connection is gone (or dead). A resumable stream keeps what is pending.
    void Broken(const std::string& reason) noexcept;
    void Fail(const std::string& reason, Failure failure) noexcept;
    // Forgets the stream and fails what cannot survive it (everything unless keep_pending);
    // false if a callback destroyed us.
    bool Reset(bool keep_pending) noexcept;
    bool CanResume() const noexcept;

    boost::asio::io_context& io_;
    Account account_;
    std::string domain_;
    std::string local_;
    Listener& listener_;
    SessionOptions options_;
    Alive alive_;

    State state_ = State::Offline;
    std::unique_ptr<Connector> connector_;
    std::unique_ptr<XmlStream> stream_;
    std::unique_ptr<XmlStream> closing_; // our </stream> on its way out
    std::unique_ptr<Login> login_;
    bool server_offers_sm_ = false;
    bool needs_session_ = false;
    std::string full_jid_;
    std::string bound_jid_; // kept while the stream may be resumed
    std::string description_;
    xmpp::IqTracker iqs_;
    StreamManagement sm_;
    std::chrono::steady_clock::time_point broken_at_{};
    std::vector<StreamManagement::Unacked> waiting_; // sent before online, or to resend
    bool ack_posted_ = false;
    Liveness liveness_;
};

} // namespace pigeon::c2s
