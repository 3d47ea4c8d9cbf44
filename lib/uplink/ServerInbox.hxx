#pragma once
// The messages our server hands us, live or read back from its archive:
// receipts for ours, carriers' reports on ours, carried messages (unwrapped
// to their origin and original time), direct ones, and a stock client's
// receipt for what we uploaded (relayed to the origin). Each goes to the
// inbox's one Receiver; what is particular to the server path stays here:
// the keys that ride on messages taken (and those asked for), the checks of
// a carrier's signature, and the receipts sent back through the server,
// signed by our key.

#include "inbox/Receiver.hxx"

#include <functional>
#include <string>

namespace pigeon::uplink {

class KeyDirectory;
class ServerLink;

class ServerInbox {
public:
    // A carrier reported on our message to `recipient`, or we learnt that a
    // message we carried reached its recipient: there may be something to
    // do (a send to hold back, an origin to tell). May throw.
    using News = std::function<void(const std::string& recipient)>;

    // All must outlive the ServerInbox.
    ServerInbox(store::Store& store, const crypto::Identity& us, ServerLink& link,
                KeyDirectory& keys, News news) noexcept;

    // A <message/> from the server, which archived it at `archived` (0: live,
    // now). Throws std::system_error (store), std::invalid_argument (a reply
    // that cannot be serialised).
    void Take(const xml::Element& message, UnixMs archived = 0);
    // `sender`'s key arrived: settles what of its waits as unverified, and
    // what carriers reported delivered to it. Throws like Take.
    void Settle(const std::string& sender);
    // Sends our receipt, signed, for message `id` of `origin` (bare) to it;
    // `carrier`, the JID of the carrier that brought it, is named in it.
    // Throws like Take.
    void SendReceipt(const std::string& origin, const std::string& id,
                     const std::string& carrier = {});
    // Tells `origin` that we refused the copy of its message `id` that `via`
    // uploaded, so that no carrier's report holds its own send back.
    void SendRefusal(const std::string& origin, const std::string& id, const std::string& via);

private:
    void TakeDirect(const xml::Element& stanza);
    void TakeCarried(const xml::Element& stanza, const xml::Element& forwarded);
    void TakeReceipt(const xml::Element& stanza, const std::string& id);
    void TakeReport(const xml::Element& stanza, const xmpp::CustodyReport& report, UnixMs archived);
    void TakeRefusal(const xml::Element& stanza, const std::string& id);
    // A client that knows no pigeon acknowledged what we uploaded for somebody.
    void RelayReceipt(const xml::Element& stanza, const std::string& recipient,
                      const std::string& origin_id);
    void ReceiptToCarrier(const std::string& via, const std::string& origin, const std::string& id);
    // Our signed receipt for message `id` of `origin`, as message `receipt_id` to `to`.
    void SendSignedReceipt(const std::string& to, const std::string& receipt_id,
                           const std::string& origin, const std::string& id,
                           const std::string& carrier = {});
    void SettleReports(const std::string& recipient, const crypto::PublicKey& key);

    store::Store& store_;
    const crypto::Identity& us_;
    ServerLink& link_;
    KeyDirectory& keys_;
    News news_;
    inbox::Receiver receiver_;
};

} // namespace pigeon::uplink
