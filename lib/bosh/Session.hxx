#pragma once
// An XMPP client session over BOSH: creates the HTTP binding, logs in with
// SASL, restarts the stream, binds a resource, establishes the session where
// the server still asks for it, sends initial presence, and then carries
// stanzas both ways. When the session ends for any reason the listener hears
// it once and the owner may Start() again (after a backoff of its choosing).

#include "bosh/Connection.hxx"
#include "bosh/Sasl.hxx"
#include "curl/Multi.hxx"
#include "util/Alive.hxx"
#include "xml/Element.hxx"

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

class Session : Connection::Handler {
public:
    // Called from the loop; any call may destroy the Session or call Start or Stop.
    class Listener {
    public:
        // Bound to full_jid; initial presence was accepted by the server.
        virtual void OnOnline(const std::string& full_jid) noexcept = 0;
        // A message, presence or iq from the server, in order. Replies to SendIq go there
        // instead; an iq get or set must be answered (xmpp::MakeIqError for the unknown).
        virtual void OnStanza(const xml::Element& stanza) noexcept = 0;
        // The session ended or could not be established. auth_failed: the server refused the
        // credentials (or could not prove it knows them); retrying will not help.
        // Not called after Stop.
        virtual void OnOffline(const std::string& reason, bool auth_failed) noexcept = 0;

    protected:
        ~Listener() = default;
    };

    // Throws std::invalid_argument if account.jid is not a bare JID (with a localpart when
    // authenticating) or account.url is not http(s), std::runtime_error if no random bytes are
    // available.
    Session(curl::Multi& multi, Account account, Listener& listener, SessionOptions options = {});
    // Drops the session without calling anyone back.
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Starts a new session, dropping a running one as Stop does. Throws std::runtime_error if
    // no random bytes are available.
    void Start();

    // Ends the session cleanly (unavailable presence, BOSH terminate). Pending sends get
    // done(false), pending IQs nullopt; the listener hears nothing more. `done`, if given, is
    // called once from the loop when the server has answered the terminate (or it failed, or
    // there was no session to end): see Connection::Terminate.
    void Stop(std::function<void()> done = {}) noexcept;

    // Queues a stanza (an empty ns means jabber:client). done(true) once the request that
    // carried it came back 200 with a valid body: the server took it. done(false) if the session
    // ends first or is not running; the stanza may then still have arrived, so a retry must be
    // idempotent (XEP-0359 origin-id). Stanzas sent before the session is online wait for it.
    // done is never called from within Send. Throws std::invalid_argument if the stanza cannot be
    // serialized.
    void Send(xml::Element stanza, std::function<void(bool accepted)> done = {});

    // Sends an <iq type='get'/'set'> (given an id if it has none) and calls reply with the
    // result or error stanza from the addressee, or nullopt if the session ends or no reply
    // comes within iq_timeout. Throws std::invalid_argument if iq is not such a stanza or cannot
    // be serialized.
    void SendIq(xml::Element iq, std::function<void(std::optional<xml::Element>)> reply);

    bool Online() const noexcept { return state_ == State::Online; }
    // Empty until online.
    const std::string& FullJid() const noexcept { return full_jid_; }
    const Account& GetAccount() const noexcept { return account_; }
    // For the next Start, e.g. after a password change.
    void SetPassword(std::string password) { account_.password = std::move(password); }

private:
    enum class State { Offline, Connecting, Authenticating, Restarting, Binding, Presence, Online };

    struct PendingIq {
        std::function<void(std::optional<xml::Element>)> reply;
        std::string to; // whom the reply must come from
        std::unique_ptr<boost::asio::steady_timer> timer;
    };

    struct Waiting {
        xml::Element stanza;
        std::function<void(bool)> done;
    };

    void OnBoshElement(xml::Element element) noexcept override;
    void OnBoshEnded(const std::string& reason) noexcept override;

    void OnFeatures(const xml::Element& features);
    void OnSasl(const xml::Element& element);
    void Bind(const xml::Element& features);
    void SendPresence();
    void GoOnline();
    bool IsReply(const xml::Element& stanza, const std::string& expected_from) const;
    void Complete(const std::string& id, std::optional<xml::Element> result) noexcept;
    // negotiating: part of the session's own setup, which goes out before we are online.
    void SendIqNow(xml::Element iq, std::function<void(std::optional<xml::Element>)> reply,
                   bool negotiating);
    void Fail(const std::string& reason, bool auth_failed) noexcept;
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
    std::optional<SaslClient> sasl_;
    std::string full_jid_;
    std::string id_prefix_;
    std::uint64_t next_id_ = 0;
    std::map<std::string, PendingIq> iqs_;
    std::vector<Waiting> waiting_; // sent before the session was online
};

} // namespace pigeon::bosh
