#pragma once
// The session with our server. The probe's verdicts start and stop it; a
// refused login is retried (LoginRetry); its BOSH URL is configured,
// remembered from an earlier start, or discovered from the server's
// host-meta (XEP-0156). XEP-0077 registration and password change go
// through here too. The other parts of the uplink send through it while it
// is online, and its listener hears what the server hands us.

#include "bosh/Register.hxx"
#include "bosh/Session.hxx"
#include "curl/Multi.hxx"
#include "uplink/LoginRetry.hxx"
#include "uplink/Probe.hxx"
#include "uplink/UplinkConfig.hxx"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace pigeon::net {
class RouteWatcher;
}

namespace pigeon::uplink {

class ServerLink final : bosh::Session::Listener {
public:
    // Called from the loop; none may destroy the ServerLink.
    class Listener {
    public:
        // Logged in: the parts that work online start.
        virtual void OnLoggedIn() noexcept = 0;
        // A message, presence or iq from the server (see bosh::Session::Listener).
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

    // Through the session (see bosh::Session::Send and SendIq); meant for
    // while Online. Throw std::logic_error while the BOSH URL is unknown,
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
    enum class State { Offline, Connecting, Online, AuthFailed };

    void OnOnline(const std::string& full_jid) noexcept override;
    void OnStanza(const xml::Element& stanza) noexcept override;
    void OnOffline(const std::string& reason, bool auth_failed) noexcept override;

    void OnProbe(bool online) noexcept;
    void OnDiscovered(const std::string& bosh_url);
    void StartSession(const std::string& bosh_url);
    // Ends the session now; whatever it calls back finds us offline.
    void Drop() noexcept;
    // Logs in again after a refusal, with the password read afresh.
    void RetryLogin(const char* why) noexcept;
    bosh::Session& Session();

    Listener& listener_;
    std::string bosh_url_source_; // before config_, whose initialiser sets it
    UplinkConfig config_;
    curl::Multi multi_;
    std::unique_ptr<bosh::Session> session_; // null until the BOSH URL is known
    Probe probe_;
    std::unique_ptr<net::RouteWatcher> routes_;
    State state_ = State::Offline;
    LoginRetry login_retry_;
    std::unique_ptr<bosh::Registration> registration_;
    bool shutting_down_ = false;
};

} // namespace pigeon::uplink
