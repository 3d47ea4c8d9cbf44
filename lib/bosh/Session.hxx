#pragma once
// An XMPP client session over BOSH: creates the HTTP binding, logs in with
// SASL, restarts the stream, binds a resource, establishes the session where
// the server still asks for it, sends initial presence, and then carries
// stanzas both ways. When the session ends for any reason the listener hears
// it once and the owner may Start() again (after a backoff of its choosing).

#include "bosh/Connection.hxx"
#include "curl/Multi.hxx"
#include "util/Alive.hxx"
#include "xml/Element.hxx"
#include "xmpp/ClientSession.hxx"
#include "xmpp/IqTracker.hxx"
#include "xmpp/SaslExchange.hxx"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pigeon::bosh {

struct Account {
    std::string jid; // bare JID, e.g. alice@example.org
    std::string password;
    std::string url; // the server's BOSH endpoint, http:// or https://
    std::string resource = "pigeon";
};

struct SessionOptions {
    BindingOptions binding;
    // Only this SASL mechanism, e.g. "SCRAM-SHA-1"; empty takes the strongest offered.
    std::string mechanism;
    // Added to the initial presence, e.g. an XEP-0115 <c/>.
    std::optional<xml::Element> presence_extension;
    std::chrono::seconds iq_timeout{60};
    // false leaves the stream unauthenticated and unbound (in-band registration): "online"
    // then means the stream is open.
    bool authenticate = true;
};

class Session final : public xmpp::ClientSession, Connection::Handler {
public:
    using Listener = xmpp::ClientSession::Listener;

    // Throws std::invalid_argument if account.jid is not a bare JID (with a localpart when
    // authenticating) or account.url is not http(s), std::runtime_error if no random bytes are
    // available.
    Session(curl::Multi& multi, Account account, Listener& listener, SessionOptions options = {});
    // Drops the session without calling anyone back.
    ~Session() override;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // As xmpp::ClientSession says. Stop sends unavailable presence and a BOSH terminate, and
    // its `done` waits for the server's answer to the terminate (Connection::Terminate).
    // Send's done(true) means the HTTP request that carried the stanza came back 200 with a
    // valid body. IQs time out after iq_timeout.
    void Start() override;
    void Stop(std::function<void()> done = {}) noexcept override;
    void Send(xml::Element stanza, std::function<void(bool accepted)> done = {}) override;
    void SendIq(xml::Element iq, std::function<void(std::optional<xml::Element>)> reply) override;
    bool Online() const noexcept override { return state_ == State::Online; }
    const std::string& FullJid() const noexcept override { return full_jid_; }
    void SetPassword(std::string password) override { account_.password = std::move(password); }

    const Account& GetAccount() const noexcept { return account_; }

private:
    enum class State { Offline, Connecting, Authenticating, Restarting, Binding, Presence, Online };

    struct Waiting {
        xml::Element stanza;
        std::function<void(bool)> done;
    };

    void OnBoshElement(xml::Element element) noexcept override;
    void OnBoshEnded(const std::string& reason) noexcept override;

    void OnFeatures(const xml::Element& features);
    void OnSasl(const xml::Element& element);
    void Bind(const xml::Element& features);
    void EstablishSession();
    void SendPresence();
    void GoOnline();
    // negotiating: part of the session's own setup, which goes out before we are online.
    void SendIqNow(xml::Element iq, std::function<void(std::optional<xml::Element>)> reply,
                   bool negotiating);
    void Fail(const std::string& reason, Failure failure) noexcept;
    // Forgets the session's state and fails what is pending; false if that destroyed us.
    bool Reset() noexcept;

    boost::asio::io_context& io_;
    Account account_;
    std::string domain_;
    std::string local_;
    Listener& listener_;
    SessionOptions options_;
    Connection connection_;
    // Listener and done callbacks may destroy us; code that calls out checks this afterwards.
    Alive alive_;

    State state_ = State::Offline;
    std::uint64_t generation_ = 0;
    std::optional<xmpp::SaslExchange> sasl_;
    std::string full_jid_;
    xmpp::IqTracker iqs_;
    std::vector<Waiting> waiting_; // sent before the session was online
};

} // namespace pigeon::bosh
