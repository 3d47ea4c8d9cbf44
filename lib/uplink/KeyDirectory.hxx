#pragma once
// End-to-end keys as the server path knows them. Ours goes to our server for
// others to fetch (XEP-0163 PEP, open access) and rides on what we send
// through it; theirs come from their servers or on their messages, and are
// remembered in the store. A key that arrives may settle messages held as
// unverified: the owner hears of each one.

#include "crypto/Identity.hxx"
#include "xml/Element.hxx"

#include <functional>
#include <optional>
#include <set>
#include <string>

namespace pigeon::store {
class Store;
}

namespace pigeon::uplink {

class ServerLink;

class KeyDirectory {
public:
    // `jid`'s key arrived (new, or confirmed by its server). May throw: the
    // directory's callers catch.
    using Arrived = std::function<void(const std::string& jid)>;

    // All must outlive the directory.
    KeyDirectory(store::Store& store, const crypto::Identity& us, ServerLink& link,
                 Arrived arrived);

    // Logged in: forgets what was asked in an earlier session and publishes
    // our key. Throws std::invalid_argument (serialisation).
    void OnLoggedIn();
    // Asks for the keys we want: our contacts' (to seal what goes to them
    // through carriers) and those of senders whose messages wait for theirs.
    // Throws std::system_error (store).
    void FetchWanted();
    // Our server holds our key (this session).
    bool Published() const noexcept { return published_; }

    // Adds our key to a stanza we send through our server, which vouches for
    // the sender: a correspondent learns the key without asking for it.
    void Attach(xml::Element& stanza) const;
    // A stanza our server relayed from `from` (bare): its key, if it carries one.
    void Take(const xml::Element& stanza, const std::string& from);
    // `jid` did something on the server: asks for its key if we have none, or
    // again if messages of its wait for it.
    void LearnKeyOf(const std::string& jid);
    // Asks `jid`'s server for its key, once per session unless `again`.
    void Fetch(const std::string& jid, bool again = false);
    // Tells `jid` our key, once per session, in a message that holds nothing
    // else (a headline: not stored). For a recipient that holds what carriers
    // brought from us as unverified, because it asked before we published it.
    void Announce(const std::string& jid);

    std::optional<crypto::PublicKey> Known(const std::string& jid);
    // Its server was asked for `jid`'s key this session.
    bool Asked(const std::string& jid) const { return asked_.contains(jid); }

    // The methods above throw std::system_error if the store fails,
    // std::invalid_argument if a stanza cannot be serialised.

private:
    void Publish();
    void OnReply(const std::string& jid, const std::optional<xml::Element>& reply);
    // Stores `jid`'s key; false if we had it already. A changed key is logged
    // as a warning with both fingerprints.
    bool Remember(const std::string& jid, const crypto::PublicKey& key, const char* source);

    store::Store& store_;
    const crypto::Identity& us_;
    ServerLink& link_;
    Arrived arrived_;
    bool published_ = false;
    std::set<std::string> asked_; // this session
    std::set<std::string> in_flight_;
    std::set<std::string> announced_; // this session
};

} // namespace pigeon::uplink
