#pragma once
// Plain records that the store hands out. Times are UnixMs (see util/Time.hxx);
// 0 means "not yet".

#include "util/Time.hxx"

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace pigeon::store {

// Where a message we originated stands, weakest first.
enum class OutboxState {
    Queued,            // with us, and perhaps with carriers
    Sent,              // our own server took it from us
    UploadedByCarrier, // a carrier says it gave it to its server
    ReportedDelivered, // a carrier says the recipient has it, which we cannot check (yet)
    Delivered,         // the recipient's receipt: from its server, or signed by its key
    Expired,           // its expiry passed before anybody took it: nobody hands it on any more
};
// Also the names on the control socket: "queued", "sent", "uploaded-by-carrier",
// "delivered-reported-by-carrier", "delivered", "expired".
const char* ToString(OutboxState state) noexcept;

struct Handoff {
    std::string carrier; // the carrier's link-local instance or JID
    UnixMs handed = 0;   // when it acknowledged durable storage
};

// A queued message's seal and signature (xmpp::Seal), made once when it is
// queued (schema 16) rather than at every handoff: as which origin it was
// signed and for which recipient key it was sealed ('' when not sealed), so
// that a change of either is seen and it is made again.
struct OutboxSeal {
    std::string signed_as;
    std::string sealed_for;
    std::string sealed;
    std::string signature;
};

struct OutboxItem {
    std::string id; // XEP-0359 origin-id
    std::string to;
    std::string body;
    UnixMs created = 0;
    OutboxState state = OutboxState::Queued;
    UnixMs sent = 0;      // our own server accepted it
    UnixMs delivered = 0; // a XEP-0184 receipt came back
    std::vector<Handoff> carriers;
    // The last carrier report (UploadedByCarrier, ReportedDelivered): who and when.
    std::string reported_by = {};
    UnixMs reported = 0;
    // When we stop caring (schema 7): not handed on, uploaded or sent after it.
    UnixMs expires = 0;
    // Which way it was delivered (schema 8): "direct" (our server),
    // "link-local" (the recipient was a neighbour) or the carrier that
    // brought it; empty if unknown. `hops`: carriers on the way.
    std::string delivered_via = {};
    int delivered_hops = 0;
    // How much of its copy budget went to carriers (schema 11; counted from
    // its handoffs since schema 20).
    int copies_given = 0;
    // Read only where a handoff needs it (PendingForCarrier, UnsealedQueue).
    OutboxSeal seal = {};
};

// Makes the seal of a message being queued (Store::Enqueue).
using SealFor = std::function<OutboxSeal(const OutboxItem&)>;

// How a receipt says a message of ours got there (OutboxItem's delivered_via).
struct DeliveryPath {
    std::string via;
    int hops = 0;
};

// A place in a listing, newest first: the row's time (created or received)
// and its row id, which orders rows of the same millisecond.
struct ListCursor {
    UnixMs at = 0;
    std::int64_t row = 0;
    bool operator==(const ListCursor&) const = default;
};

// One page of a listing: the `limit` rows just older than `before` (the
// newest when unset), handed out oldest first.
struct PageRequest {
    int limit = 0;
    std::optional<ListCursor> before;
};

template <typename Item> struct Page {
    std::vector<Item> items;
    std::vector<ListCursor> cursors; // one per item: --before it gives the older rows
    std::int64_t total = 0;          // rows in the whole listing
    bool older = false;              // rows older than the first item remain
};

// Where a walk through our queue got to: the last item it saw.
struct QueuePosition {
    UnixMs created = std::numeric_limits<UnixMs>::min();
    std::string id;
};

// A message we carry for somebody else. The payload is the origin's stanza,
// kept byte for byte as it was handed over.
struct CarriedItem {
    std::string id; // the origin's origin-id
    std::string origin;
    std::string to;
    std::string from_peer;
    UnixMs sent = 0; // the origin's send time
    UnixMs received = 0;
    UnixMs expires = 0;
    UnixMs uploaded = 0;
    std::string payload;
    // The recipient has it: it took our copy over the link, or (a client that
    // knows no pigeon) acknowledged the one we uploaded.
    UnixMs delivered = 0;
    // What tells distinct copies of one message apart: a digest of the
    // payload, set by the store (empty for copies stored before schema 10).
    std::string digest = {};
    // Spray-and-wait (schema 11): our budget for it (1: we only deliver), and
    // who held it before us, names one a line, the origin first.
    int copies = 1;
    std::string path = {};
};

// A carried copy we may hand on, with its row.
struct HandOnCandidate {
    CarriedItem item;
    std::int64_t row = 0;
};

// A carrier's answer to our handing on the copy in `row` with `copies`:
// whether it stored it (it then holds that budget) or held it already.
struct Relayed {
    std::int64_t row = 0;
    int copies = 0;
    bool stored = false;
};

// How much we hold for others: messages, and their bytes as handed over.
struct CarriedLoad {
    std::int64_t messages = 0;
    std::int64_t bytes = 0;
    bool operator==(const CarriedLoad&) const = default;
};

// A copy we carry, as making room sees it: its row, whose it is, its size.
struct HeldCopy {
    std::int64_t row = 0;
    std::string origin;
    std::string origin_id;
    std::int64_t bytes = 0;
};

// What a carrier has to tell an origin about a message it carried.
enum class CarriedNews { Uploaded, Delivered };

// A carrier's news for the origin, as kept until the origin is told.
struct CarrierNews {
    std::string origin;
    std::string id; // the origin's origin-id
    std::string to;
    CarriedNews news = CarriedNews::Uploaded;
    // With Delivered: the recipient's signature over its receipt (base64),
    // empty when a client that knows no pigeon acknowledged it unsigned.
    std::string receipt;
};

// A carrier's report on one of our messages that we could not check when it
// came (the recipient's key unknown): checked once the key is known.
struct PendingReport {
    std::string id;
    std::string receipt; // the recipient's signature, or empty
};

// Who vouches that an inbox message's sender wrote it. Text ("server",
// "link-local", "signed", "unverified") only in the database and on the
// control socket.
enum class Authenticity {
    Server,     // our server, which authenticated the sender
    LinkLocal,  // the neighbour's stream (XEP-0174: its identity is the sender)
    Signed,     // the origin's signature, checked with the key its server publishes
    Unverified, // carried, the origin's key not known yet: it may still turn out forged
};
const char* ToString(Authenticity authenticity) noexcept;

struct InboxItem {
    std::string id; // the sender's origin-id
    std::string from;
    std::string body;
    UnixMs sent = 0; // the sender's original send time
    UnixMs received = 0;
    std::string via; // "direct", "link-local", or the carrier's JID
    Authenticity authenticity = Authenticity::Server;
};

// A carried copy of an unverified message, kept to be checked once the
// origin's key is known: the <forwarded> element as the carrier uploaded it.
struct UnverifiedCopy {
    std::string id; // origin-id
    std::string via;
    std::string forwarded;
    UnixMs received = 0;
};

struct Neighbour {
    std::string instance; // XEP-0174 service instance name
    std::string jid;      // advertised account JID, if any
    bool carrier = false; // speaks the pigeon carrier protocol
    std::string addresses;
    UnixMs first_seen = 0;
    UnixMs last_seen = 0;
};

struct HandshakeEvent {
    UnixMs at = 0;
    std::string instance;
    std::string event;
    std::string detail;
};

struct Counters {
    std::int64_t sent_direct = 0;
    std::int64_t handed_to_carriers = 0;
    std::int64_t delivered_by_carriers = 0;
    std::int64_t carried_for_others = 0;
    std::int64_t uploaded_for_others = 0;
    std::int64_t forged_refused = 0;       // carried copies whose signature failed
    std::int64_t delivered_for_others = 0; // carried messages we handed to their recipient
    std::int64_t expired = 0;              // our messages that expired undelivered
    std::int64_t expired_carried = 0;      // carried copies dropped at their expiry
    std::int64_t tombstones_learned = 0;   // deliveries we learnt of (new or newly verified)
    std::int64_t summary_skipped = 0;      // copies and tombstones a neighbour's summary spared
};

// A message we carry or know delivered, as a summary vector lists it.
struct SummaryEntry {
    std::string origin;
    std::string origin_id;
    bool with_receipt = false; // a tombstone holding the recipient's receipt
};

// A delivery tombstone: message `id` of `origin` reached its recipient (`to`).
// `receipt` is the recipient's signature over its receipt (xmpp::SignReceipt),
// or empty when we know it otherwise (our upload was accepted); `verified`
// when checked with the recipient's key, which alone lets it delete copies.
struct Tombstone {
    std::string origin;
    std::string id;
    std::string to;
    UnixMs until = 0; // the message's expiry: no use after it
    std::string receipt;
    bool verified = false;
    std::int64_t row = 0; // its place in the order tombstones are passed on
    // Which way it went (schema 13), for its origin's outbox: the carrier
    // that delivered it ('' if unknown) and the carriers on the way.
    std::string via = {};
    int hops = 0;
};

// What one pass over the expiries did (Store::Expire).
struct Expired {
    std::vector<std::string> outbox; // origin-ids of our messages now expired
    std::int64_t carried = 0;        // carried copies deleted
};

struct QueueSizes {
    std::int64_t outbox_pending = 0; // not yet delivered
    std::int64_t carrying = 0;       // held for others, not yet uploaded
    std::int64_t inbox = 0;
};

struct Contact {
    std::string jid; // bare
    std::string name;
    std::string subscription; // none, to, from, both (RFC 6121)
    bool synced = false;      // the server's roster has it
    std::string key = {};     // its end-to-end public key (base64), empty if unknown
};

struct SearchHit {
    std::string box; // "outbox" or "inbox"
    std::string id;
    std::string peer; // recipient for outbox, sender for inbox
    UnixMs time = 0;
    std::string snippet;
};

} // namespace pigeon::store
