#pragma once
// The half of pigeon that has signal: when the probe finds the server, log in
// over BOSH; send our queued messages directly ("sent"), upload what we carry
// for others (each marked uploaded only once the server accepted the request
// that carried it), and take in what arrives: plain messages, carried
// messages unwrapped to their origin (one copy per origin and origin-id,
// whatever the number of carriers), and receipts for our own messages.

#include "bosh/Register.hxx"
#include "crypto/Identity.hxx"
#include "store/Model.hxx"
#include "xmpp/Protection.hxx"
#include "bosh/Session.hxx"
#include "curl/Multi.hxx"
#include "uplink/Probe.hxx"
#include "util/FileWatcher.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>

#include <filesystem>
#include <memory>
#include <set>
#include <string>

namespace pigeon::store {
class Store;
}
namespace pigeon::net {
class RouteWatcher;
}

namespace pigeon::uplink {

struct UplinkConfig {
    std::string account;  // bare JID
    std::string password;
    std::string bosh_url; // empty: discovered from host_meta_url (XEP-0156)
    std::string host_meta_url;
    // Where a discovered BOSH URL is kept, so that a start without signal knows it.
    std::filesystem::path discovered_url_file;
    ProbeConfig probe;    // url defaults to bosh_url
    bool only_pigeons = false; // never send our own messages to the server directly
    bool watch_routes = true;  // probe at once on kernel address/route changes
    // After the server refused our credentials: reads the password again
    // (password-file or password-command) before the next try; unset keeps
    // `password`. May throw std::runtime_error.
    std::function<std::string()> reread_password;
    // Watched while the server refuses us: fixing the file retries at once.
    std::filesystem::path password_file;
    // Signs nothing here, but opens what is sealed to us and is published for
    // others to check our signatures. Required; must outlive the Uplink.
    const crypto::Identity* identity = nullptr;
};

struct UplinkStatus {
    bool online = false; // the probe's verdict
    UnixMs since = 0;
    UnixMs last_probe = 0;
    std::string last_result;
    std::string session; // discovering, offline, connecting, online, auth-failed
    std::string jid;
    std::string bosh_url;        // empty while undiscovered
    std::string bosh_url_source; // configured, discovered, or empty
    std::string host_meta_url;   // where it is (or was) discovered; empty if configured
    bool key_published = false;  // our server holds our public key (this session)
};

class Uplink final : bosh::Session::Listener {
public:
    // Throws std::system_error if curl or the netlink socket cannot be set up,
    // std::invalid_argument for an unusable account or URL (or neither a BOSH
    // nor a host-meta URL).
    Uplink(boost::asio::io_context& io, store::Store& store, UplinkConfig config);
    ~Uplink();

    // Our outbox or what we carry changed: send what we can now.
    void Flush() noexcept;
    // Ends the session cleanly (the requests go out while the loop runs on)
    // and stops going online.
    void Shutdown() noexcept;
    UplinkStatus Status() const;

    // `done` gets an empty string on success, else what went wrong.
    using Done = std::function<void(const std::string& error)>;
    // XEP-0077: creates our account on the server (needs the probe online).
    void Register(Done done);
    // XEP-0077: changes our password (needs the session online).
    void ChangePassword(const std::string& password, Done done);
    // Adds a contact to the local roster at once, and to the server's (with a
    // subscription request) now or when next online.
    void AddContact(const std::string& bare_jid, const std::string& name);

private:
    void OnOnline(const std::string& full_jid) noexcept override;
    void OnStanza(const xml::Element& stanza) noexcept override;
    void OnOffline(const std::string& reason, bool auth_failed) noexcept override;

    void OnProbe(bool online) noexcept;
    // Logs in again after an authentication failure, with the password read afresh.
    void RetryLogin(const char* why) noexcept;
    void ScheduleLoginRetry() noexcept;
    void OnDiscovered(const std::string& bosh_url);
    void StartSession(const std::string& bosh_url);
    void SendOwn();
    void UploadCarried();
    void HandleMessage(const xml::Element& stanza);
    void HandleCarried(const xml::Element& stanza, const xml::Element& forwarded);
    void HandleReceipt(const xml::Element& stanza, const std::string& id);
    struct CarriedCheck {
        store::InboxItem item; // via not set
        xmpp::Authenticity authenticity;
        bool request_receipt;
    };
    CarriedCheck CheckCarried(const xmpp::Unwrapped& original, const crypto::PublicKey* key) const;
    void AcceptGenuine(const CarriedCheck& carried);
    // End-to-end keys (Keys.cxx).
    void PublishKey();
    void AttachKey(xml::Element& stanza) const;
    // A stanza our server relayed from `from`: its key, if it carries one.
    void TakeKey(const xml::Element& stanza, const std::string& from);
    // Asks `jid`'s server for its key, once per session unless `again`.
    void FetchKey(const std::string& jid, bool again = false);
    // `jid` did something on the server: ask for its key if we have none,
    // or again if messages of its wait for it.
    void LearnKeyOf(const std::string& jid);
    void OnKeyReply(const std::string& jid, const std::optional<xml::Element>& reply);
    // Stores `jid`'s key; false if we had it already. A changed key is logged
    // as a warning with both fingerprints.
    bool RememberKey(const std::string& jid, const crypto::PublicKey& key, const char* source);
    std::optional<crypto::PublicKey> KnownKey(const std::string& jid);
    void SettleUnverified(const std::string& sender);
    void SendReceipt(const std::string& to, const std::string& id);
    // `then` runs once the server answered (or the session ended).
    void FetchRoster(std::function<void()> then = {});
    void HandleRosterPush(const xml::Element& iq);
    void PushContact(const std::string& bare_jid, const std::string& name);

    store::Store& store_;
    const crypto::Identity& identity_;
    std::string bosh_url_source_; // before config_, whose initialiser sets it
    UplinkConfig config_;
    curl::Multi multi_;
    std::unique_ptr<bosh::Session> session_; // null until the BOSH URL is known
    Probe probe_;
    std::unique_ptr<net::RouteWatcher> routes_;
    enum class SessionState { Offline, Connecting, Online, AuthFailed } state_ = SessionState::Offline;
    std::set<std::string> sending_;   // our origin-ids in flight to the server
    std::set<std::string> uploading_; // origin + "\n" + origin-id in flight
    std::unique_ptr<bosh::Registration> registration_;
    bool shutting_down_ = false;
    // While authentication fails: a slow retry (the server may be at fault)
    // and a watch on the password file (the user may fix it).
    boost::asio::steady_timer login_retry_;
    std::chrono::seconds login_backoff_;
    std::unique_ptr<FileWatcher> password_watch_;
    bool key_published_ = false;
    std::set<std::string> keys_asked_;     // this session
    std::set<std::string> keys_in_flight_;
};

} // namespace pigeon::uplink
