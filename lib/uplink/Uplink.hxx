#pragma once
// The half of pigeon that has signal. The Uplink owns its parts and wires
// them; each step is one of them:
// - ServerLink: the probe's verdicts log us in and out over BOSH (a refused
//   login retried, the BOSH URL discovered), registration, password change;
// - ArchiveCatchUp: on each login, what the server archived for us since we
//   last looked, through ServerInbox, before we send anything ourselves;
// - Uploader: our queued messages sent directly, what we carry uploaded;
// - CustodyNotices: the origins of what we carried told how far it got;
// - ServerInbox: what the server hands us, taken in through inbox::Receiver
//   (one copy per origin and origin-id whatever the number of carriers),
//   receipts sent back and received, carriers' reports on ours;
// - KeyDirectory: our key published, others' keys fetched and remembered;
// - Roster: the server's roster, cached for offline use.

#include "uplink/ArchiveCatchUp.hxx"
#include "uplink/CustodyNotices.hxx"
#include "uplink/KeyDirectory.hxx"
#include "uplink/Roster.hxx"
#include "uplink/ServerInbox.hxx"
#include "uplink/ServerLink.hxx"
#include "uplink/UplinkConfig.hxx"
#include "uplink/Uploader.hxx"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <string>

namespace pigeon::store {
class Store;
}

namespace pigeon::uplink {

class Uplink final : ServerLink::Listener {
public:
    // Throws std::system_error if curl or the netlink socket cannot be set up,
    // std::invalid_argument for an unusable account or URL (or neither a BOSH
    // nor a host-meta URL).
    Uplink(boost::asio::io_context& io, store::Store& store, UplinkConfig config);
    ~Uplink();

    // Our outbox or what we carry changed: send what we can now.
    void Flush() noexcept;
    // Ends the session cleanly (the requests go out while the loop runs on)
    // and stops going online. `done`, if given, is called once from the loop
    // when the server has processed the logout, or it failed.
    void Shutdown(std::function<void()> done = {}) noexcept;
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
    // We have message `id` of `origin` (bare), which a carrier handed us over
    // the link: our signed receipt goes to it through the server too, if we
    // are online (else the carrier's copy of it will do). Throws
    // std::system_error (store), std::invalid_argument (serialisation).
    void SendReceipt(const std::string& origin, const std::string& id);
    // A neighbour's TLS pin is signed for `account` and we hold no key of it:
    // asks its server, if we are online (else on the next login, through
    // UplinkConfig::link_wants_keys). Throws what KeyDirectory::Fetch throws.
    void FetchKey(const std::string& account);

private:
    void OnLoggedIn() noexcept override;
    void OnStanza(const xml::Element& stanza) noexcept override;
    void OnLoggedOut() noexcept override;
    void OnReachable() noexcept override;

    void OnCaughtUp() noexcept;
    // ServerInbox's news: a carrier reported on ours, or what we carried arrived.
    void OnNews() noexcept;
    // Custody notices, once no carried copy is on its way up.
    void FlushNotices() noexcept;

    store::Store& store_;
    const crypto::Identity& identity_;
    ServerLink link_;
    KeyDirectory keys_;
    Roster roster_;
    Uploader uploader_;
    CustodyNotices notices_;
    ServerInbox inbox_;
    ArchiveCatchUp catch_up_;
    bool logged_in_ = false; // to say "offline" once per session
};

} // namespace pigeon::uplink
