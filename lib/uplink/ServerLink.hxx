#pragma once
// The session with our server, over c2s (lib/c2s) or BOSH (lib/bosh) as the
// `transport` setting and the probe say: with auto, c2s where the server
// answers it, else BOSH. The probe's verdicts start and stop the session; a
// refused login (or certificate) is retried (LoginRetry); the BOSH URL is
// configured, remembered from an earlier start, or discovered from the
// server's host-meta (XEP-0156). XEP-0077 registration and password change go
// through here too. The other parts of the uplink send through it while it
// is online, and its listener hears what the server hands us.

#include "curl/Multi.hxx"
#include "uplink/LoginRetry.hxx"
#include "uplink/Probe.hxx"
#include "uplink/UplinkConfig.hxx"
#include "xmpp/ClientSession.hxx"
#include "xmpp/Registration.hxx"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace pigeon::net {
class RouteWatcher;
}

namespace pigeon::uplink {

class ServerLink final : xmpp::ClientSession::Listener {
public:
    // Called from the loop; none may destroy the ServerLink.
    class Listener {
    public:
        // Logged in: the parts that work online start.
        virtual void OnLoggedIn() noexcept = 0;
        // A message, presence or iq from the server (see xmpp::ClientSession::Listener).
        virtual void OnStanza(const xml::Element& stanza) noexcept = 0;
        // The session ended or was dropped: what was in flight gets no answer.
        virtual void OnLoggedOut() noexcept = 0;
        // The probe found the server again while we are logged in: a chance
        // to retry what the server did not accept.
        virtual void OnReachable() noexcept = 0;

    protected:
        ~Listener() = default;
    };

    // Throws std::system_error if curl or the netlink socket cannot be set up,
    // std::invalid_argument for an unusable account or URL (or neither a BOSH
    // nor a host-meta URL).
    ServerLink(boost::asio::io_context& io, UplinkConfig config, Listener& listener);
    ~ServerLink();

    const UplinkConfig& Config() const noexcept { return config_; }
    bool Online() const noexcept { return state_ == State::Online; }

    // Through the session (see xmpp::ClientSession::Send and SendIq); meant for
    // while Online. Throw std::logic_error while there is no session yet,
    // std::invalid_argument as the session's do.
    void Send(xml::Element stanza, std::function<void(bool accepted)> done = {});
    void SendIq(xml::Element iq, std::function<void(std::optional<xml::Element>)> reply);

    // Ends the session cleanly and stops going online. `done`, if given, is called once from
    // the loop when the server has processed the logout (or it failed, or there was none).
    void Shutdown(std::function<void()> done = {}) noexcept;
    // All but key_published, which is not ours to know.
    UplinkStatus Status() const;
    // Why we are not online: "none", "no-uplink", "discovery-failed" or "auth-failed".
    const char* Problem() const noexcept;

    // `done` gets an empty string on success, else what went wrong.
    using Done = std::function<void(const std::string& error)>;
    void Register(Done done);
    void ChangePassword(const std::string& password, Done done);

private:
    enum class State { Offline, Connecting, Online, AuthFailed, TlsFailed };

    void OnOnline(const std::string& full_jid) noexcept override;
    void OnStanza(const xml::Element& stanza) noexcept override;
    void OnOffline(const std::string& reason, Failure failure) noexcept override;

    void OnProbe(bool online) noexcept;
    void OnDiscovered(const std::string& bosh_url);
    // A session over transport (C2s or Bosh), authenticated or not (registration).
    std::unique_ptr<xmpp::ClientSession>
    MakeSession(Transport transport, xmpp::ClientSession::Listener& listener, bool authenticate);
    // The session for the transport the probe found, made anew if it is another.
    void UseTransport(Transport transport);
    // Ends the session now; whatever it calls back finds us offline.
    void Drop() noexcept;
    // Logs in again after a refusal, with the password read afresh.
    void RetryLogin(const char* why) noexcept;
    xmpp::ClientSession& Session();

    Listener& listener_;
    std::string bosh_url_source_; // before config_, whose initialiser sets it
    UplinkConfig config_;
    curl::Multi multi_;
    std::unique_ptr<xmpp::ClientSession> session_;  // null until a transport is known
    Transport session_transport_ = Transport::Auto; // that of session_
    std::string session_error_;
    Probe probe_;
    std::unique_ptr<net::RouteWatcher> routes_;
    State state_ = State::Offline;
    LoginRetry login_retry_;
    std::unique_ptr<xmpp::Registration> registration_;
    bool shutting_down_ = false;
};

} // namespace pigeon::uplink
