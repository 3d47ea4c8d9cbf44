#pragma once
// The messages our server hands us: receipts for ours, carried messages
// (unwrapped to their origin and original time) and direct ones. Each goes
// to the inbox's one Receiver; what is particular to the server path stays
// here: the origin's key looked up (and asked for), the keys that ride on
// messages taken, and the receipts sent back through the server.

#include "inbox/Receiver.hxx"

#include <string>

namespace pigeon::uplink {

class KeyDirectory;
class ServerLink;

class ServerInbox {
public:
    // All must outlive the ServerInbox.
    ServerInbox(store::Store& store, const crypto::Identity& us, ServerLink& link,
                KeyDirectory& keys) noexcept;

    // A <message/> from the server. Throws std::system_error (store),
    // std::invalid_argument (a reply that cannot be serialised).
    void Take(const xml::Element& message);
    // `sender`'s key arrived: settles what of its waits as unverified. Throws
    // like Take.
    void Settle(const std::string& sender);

private:
    void TakeDirect(const xml::Element& stanza);
    void TakeCarried(const xml::Element& stanza, const xml::Element& forwarded);
    void TakeReceipt(const xml::Element& stanza, const std::string& id);
    void SendReceipt(const std::string& to, const std::string& id);

    ServerLink& link_;
    KeyDirectory& keys_;
    inbox::Receiver receiver_;
};

} // namespace pigeon::uplink
