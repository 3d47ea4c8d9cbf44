#pragma once
// The one way into the inbox, whoever brought the message: a neighbour's
// stream, our server, or a carrier through our server. The Receiver decides
// whether it is kept, settles a copy held as unverified, waits as unverified
// or is refused; stores it (durably, so that a receipt sent after the call
// never outlives the data); and says what happened and whether a receipt is
// due. Sending the receipt is the caller's: it knows the way back.

#include "inbox/Decision.hxx"
#include "store/Model.hxx"
#include "xml/Element.hxx"
#include "xmpp/Custody.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Protection.hxx"

#include <string>
#include <utility>
#include <vector>

namespace pigeon {
class EventBus;
}
namespace pigeon::store {
class Store;
}

namespace pigeon::inbox {

enum class Outcome {
    Fresh,     // new in the inbox
    Settled,   // it vouched for a copy held as unverified, which now reads as it says
    Held,      // new in the inbox, as unverified until the origin's key is known
    HeldAgain, // another carried copy of a message we have, kept to be checked if it waits
    Duplicate, // we had it already: nothing changed
    Refused,   // carried, unsigned or forged: counted, nothing kept
    Dropped,   // settling found no genuine copy: it left the inbox
};

struct Received {
    Outcome outcome = Outcome::Duplicate;
    store::InboxItem item; // as kept; a refused or dropped message as it claimed to be
    // Its sender asked for a XEP-0184 receipt for item.id, and the message is
    // genuinely ours now.
    bool receipt_due = false;
    // Carried copies only: what the origin's signature said, and for one held
    // as unverified whether the key we know failed (ask the origin's server again).
    xmpp::Authenticity check = xmpp::Authenticity::Unsigned;
    bool ask_key_again = false;

    // Something the reader has not seen before.
    bool IsNew() const noexcept
    {
        return outcome == Outcome::Fresh || outcome == Outcome::Settled || outcome == Outcome::Held;
    }
};

// What a receipt for one of our messages did.
enum class Delivery {
    NotOurs,   // no such message of ours, or the receipt is not from its recipient
    Delivered, // the first receipt for it
    Again,     // it was delivered already
};

// What a carrier's report on one of our messages did.
enum class Custody {
    NotOurs,   // no such message of ours, or not for the recipient it names
    Nothing,   // it tells us nothing new
    Uploaded,  // now "uploaded by carrier": our own send waits for a receipt
    Reported,  // now "delivered (reported by carrier)": unchecked, the recipient's key unknown
    Delivered, // the recipient's signed receipt: delivered
    Doubted,   // it says delivered, but the recipient did not sign that: taken as uploaded
};

class Receiver {
public:
    // All must outlive the Receiver. `events` hears what enters the inbox,
    // what is refused and the receipts taken; it may be null.
    Receiver(store::Store& store, const crypto::Identity& us, EventBus* events = nullptr) noexcept;

    // All the methods below throw std::system_error if the store fails.

    // A chat message `from` (a bare JID, or a neighbour's instance) sent us
    // itself: through our server (authenticity Server, via "direct") or over a
    // neighbour's stream (LinkLocal, via "link-local"). One without an id gets
    // a fresh one, and no receipt. Throws std::invalid_argument for another
    // authenticity.
    Received TakeChat(const xmpp::ChatMessage& message, const std::string& from,
                      store::Authenticity authenticity);

    // A carried copy that `via` uploaded: the <forwarded/> element and what
    // xmpp::Unwrap read from it. `key` and `asked` as for JudgeCarried.
    Received TakeCarried(const xml::Element& forwarded, const xmpp::Unwrapped& original,
                         const std::string& via, const crypto::PublicKey* key, bool asked);

    // `sender`'s key is known now: settles each of its messages held as
    // unverified (Settled or Dropped, one per message).
    std::vector<Received> Settle(const std::string& sender, const crypto::PublicKey& key);

    // A XEP-0184 receipt from `from` (bare JID) for our message `id`.
    // `carrier`: the one that brought our message there, as the receipt says.
    Delivery TakeReceipt(const std::string& id, const std::string& from,
                         const std::string& carrier = {});

    // A verified tombstone (its receipt checked with the recipient's key)
    // that a neighbour passed on: a message of ours (`origin`: our account,
    // or our link-local name) is delivered, the way the tombstone says. How
    // an origin that never gets an uplink learns it.
    Delivery TakeTombstone(const store::Tombstone& tombstone, const std::string& origin);

    // A carrier's report on a message of ours (`origin`: our account, or our
    // link-local name), made at `when`. `vouched`: our server vouches for the
    // carrier (it came through it); a neighbour's word that the recipient has
    // it counts only with the recipient's signature.
    Custody TakeReport(const xmpp::CustodyReport& report, const std::string& origin, bool vouched,
                       UnixMs when);
    // The recipient `from` (bare JID; our server vouches for it) refused a
    // carried copy of our message `id`: what carriers report on it no longer
    // holds our own send back. True if that is news.
    bool TakeRefusal(const std::string& id, const std::string& from);
    // `recipient`'s key is known now: checks what carriers reported delivered
    // to it (Delivered or Doubted, one per message, with its id).
    std::vector<std::pair<std::string, Custody>> SettleReports(const std::string& recipient,
                                                               const crypto::PublicKey& key,
                                                               const std::string& origin);

private:
    // Keeps `item` once: Fresh, Duplicate, or Settled if it may vouch for a
    // copy we hold as unverified.
    Outcome Keep(const store::InboxItem& item);
    // Tell those who watch what became of `received`, of a message of ours.
    void Publish(const Received& received) noexcept;
    void PublishDelivered(const std::string& id, const std::string& by, bool via_carrier) noexcept;
    void PublishCustody(const xmpp::CustodyReport& report, store::OutboxState state) noexcept;

    store::Store& store_;
    const crypto::Identity& us_;
    EventBus* events_;
};

} // namespace pigeon::inbox
