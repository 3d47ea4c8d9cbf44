#pragma once
// The store is the daemon's source of truth. Every method that records
// something other peers will be told about (a handoff accepted, a message
// received) commits durably (WAL, synchronous=FULL) before it returns, so an
// acknowledgement sent after the call can never outlive the data. The one
// exception is asked for by name: AddCarried with Commit::kDeferred, whose
// acknowledgement waits for WalSync instead of the loop waiting for the disk.

#include "store/Model.hxx"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pigeon::store {

// A refusal the user can act on (unknown or ambiguous id, bad search, schema
// too new). SQLite failures are std::system_error instead.
class StoreError : public std::runtime_error {
public:
    enum class Reason { NotFound, Ambiguous, BadInput, SchemaTooNew };
    StoreError(Reason reason, const std::string& message)
        : std::runtime_error(message), reason_(reason)
    {
    }
    Reason GetReason() const noexcept { return reason_; }

private:
    Reason reason_;
};

struct FoundItem {
    std::optional<OutboxItem> outbox;
    std::optional<CarriedItem> carried;
    std::optional<InboxItem> inbox;
};

// How a commit meets the disk: before the call returns, or once a WalSync
// says so (the caller then acknowledges nothing before that).
enum class Commit { kDurable, kDeferred };

class Store {
public:
    // Opens or creates `path` and migrates it. Throws StoreError, std::system_error.
    explicit Store(const std::filesystem::path& path);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // All the methods below throw std::system_error on SQLite failure.

    // Queues a message we originate, with a fresh origin-id, to be given up
    // at `expires`, with the seal `seal_for` makes of it (none without), in
    // one commit (Queue.cxx, as are the three below).
    OutboxItem Enqueue(const std::string& to, const std::string& body, UnixMs created,
                       UnixMs expires, const SealFor& seal_for = {});
    // Queued messages after `after` (queue order) not signed as `origin`:
    // queued before they could be, or before our origin changed.
    std::vector<OutboxItem> UnsealedQueue(const std::string& origin, const QueuePosition& after,
                                          int limit);
    // Keeps each item's seal, in one commit.
    void SaveSeals(std::span<const OutboxItem> items);
    // Listings, a page at a time (PageRequest); the whole list, oldest first,
    // where a test or a walk needs it.
    Page<OutboxItem> OutboxPage(const PageRequest& request);
    Page<CarriedItem> CarryingPage(const PageRequest& request); // without payloads
    Page<InboxItem> InboxPage(const PageRequest& request);
    std::vector<OutboxItem> Outbox();
    // Records that `carrier` durably holds these messages; returns how many
    // were new. Each new one's budget (OutboxItem::copies_given) grows by
    // `copies[i]`, if given.
    int RecordHandoffs(const std::string& carrier, std::span<const std::string> origin_ids,
                       UnixMs handed, std::span<const int> copies = {});
    // The queries for work below leave out what expired by `now`.
    // Queued messages `carrier` does not hold yet and that have fewer than
    // `max_carriers` carriers, oldest first, at most `limit`, after `after`
    // (so that one contact walks the queue once instead of rescanning it).
    std::vector<OutboxItem> PendingForCarrier(const std::string& carrier, int max_carriers,
                                              int limit, UnixMs now,
                                              const QueuePosition& after = {});
    // Queued messages addressed to `recipient`.
    std::vector<OutboxItem> PendingForRecipient(const std::string& recipient, UnixMs now);
    // Queued messages to send to the server ourselves, oldest first: none a
    // carrier reported delivered, nor one it reported uploaded after
    // `custody_before` (we wait for the recipient's receipt until then).
    std::vector<OutboxItem> PendingForServer(int limit, UnixMs custody_before, UnixMs now);
    // One of our messages by its exact id, with its carriers.
    std::optional<OutboxItem> OutboxById(const std::string& origin_id);
    // True if it was still queued (a receipt may have overtaken the send).
    bool MarkSent(const std::string& origin_id, UnixMs when);
    // True if this receipt is the first for that message; `path` is the way
    // it went, as far as we know it.
    bool MarkDelivered(const std::string& origin_id, UnixMs when, bool via_carrier,
                       const DeliveryPath& path = {});

    // Stores messages to carry in one transaction, after dropping the copies
    // in rows `evict` (those still carried) to make room for them. Returns,
    // per item, whether it was new (false: a copy of the same origin,
    // origin-id and bytes is already held, nothing stored; a copy with other
    // bytes is kept beside it). A new copy straight from its origin (a path
    // of one name) replaces the copies of it other carriers handed on to us.
    std::vector<bool> AddCarried(std::span<const CarriedItem> items,
                                 std::span<const std::int64_t> evict = {},
                                 Commit commit = Commit::kDurable);
    // Fair storage (Quota.cxx): what we carry, by the neighbour that handed
    // it to us; what we carry for `origin`; `limit` copies from `peer` in
    // the order they are evicted (nearest expiry, then oldest received),
    // from the `skip`th on.
    std::map<std::string, CarriedLoad> CarriedByPeer();
    CarriedLoad CarriedFromOrigin(const std::string& origin);
    std::vector<HeldCopy> EvictionOrder(const std::string& peer, int limit, std::int64_t skip);
    // Spray-and-wait (Spray.cxx): at most `limit` copies after row `after`
    // with a budget to hand on, not handed to `peer` yet, not expired by
    // `now`, of which no tombstone (verified or not) is known.
    std::vector<HandOnCandidate> ToHandOn(const std::string& peer, std::int64_t after, int limit,
                                          UnixMs now);
    // `peer` answered our handing these copies on: recorded, and each one it
    // stored costs us its budget, in one transaction.
    void RecordRelays(const std::string& peer, std::span<const Relayed> relayed, UnixMs when);
    // Each item (origin, id, from_peer, copies) that its giver offers again
    // while we still carry the copy it gave us before (its answer was lost)
    // is that copy, now with budget `copies` unless we handed some on; per
    // item, whether it was one. In one transaction.
    std::vector<bool> RetakeCopies(std::span<const CarriedItem> items);
    // Carried messages neither uploaded nor taken by their recipient, nor
    // expired by `now`: the `limit` received first (-1: all of them).
    std::vector<CarriedItem> Carrying(UnixMs now, int limit = -1);
    // The copy with `digest` (CarriedItem::digest) went up; every copy when empty.
    void MarkUploaded(const std::string& origin, const std::string& origin_id, UnixMs when,
                      const std::string& digest = {});
    // Drops carried messages whose expiry has passed, payload and all;
    // returns how many. One uploaded or delivered, of which its origin may
    // need to hear, keeps its row as a record, without the payload.
    int ExpireCarried(UnixMs now);
    // Everything whose expiry has passed by `now`, in one transaction: our
    // undelivered messages become Expired (a carrier's report of delivery
    // keeps one), carried copies go as ExpireCarried says.
    Expired Expire(UnixMs now);
    // The earliest expiry Expire has still to act on, if any.
    std::optional<UnixMs> NextExpiry();

    // Delivery tombstones (issue 11). Records `tombstone` (learnt at `now`);
    // a verified one also deletes our copy of it if we would still hand it
    // on or upload it. One transaction. Whether it was news (new, or now
    // verified), and how many copies went.
    struct TombstoneAdded {
        bool news = false;
        int dropped = 0;
    };
    TombstoneAdded AddTombstone(const Tombstone& tombstone, UnixMs now);
    // Tombstones after row `after` in the order they are passed on, at most
    // `limit`, not expired by `now`; only verified ones if `only_verified`.
    std::vector<Tombstone> TombstonesAfter(std::int64_t after, int limit, UnixMs now,
                                           bool only_verified = false);
    // Whether a tombstone after row `after`, not expired by `now`, is of a
    // message whose origin goes by `name` or `other_name`.
    bool HasTombstoneOf(std::int64_t after, UnixMs now, const std::string& name,
                        const std::string& other_name);
    // Summary vectors (Summary.cxx): at most `limit` messages we carry, each
    // once; at most `limit` tombstones not expired by `now`, the newest first.
    std::vector<SummaryEntry> HeldForSummary(int limit);
    std::vector<SummaryEntry> TombstonesForSummary(int limit, UnixMs now);
    // Counts copies and tombstones not offered because the neighbour's
    // summary said it had them (a diagnostic: committed without an fsync).
    void CountSummarySkipped(std::int64_t skipped);
    // The expiry of our copy of message `origin_id` of `origin`, if we hold one.
    std::optional<UnixMs> CarriedExpiry(const std::string& origin, const std::string& origin_id);

    // Keeps exactly one copy per (from, id). Returns false for a duplicate.
    bool AddReceived(const InboxItem& item);
    std::vector<InboxItem> Inbox();
    // The authenticity of the message we hold from `sender` with that id, if any.
    std::optional<Authenticity> ReceivedAuthenticity(const std::string& sender,
                                                     const std::string& origin_id);

    // End-to-end keys (Trust.cxx). Other agents' public keys, base64, as
    // their servers publish them.
    void SetKey(const std::string& bare_jid, const std::string& key, UnixMs learned);
    std::optional<std::string> Key(const std::string& bare_jid);
    // Receives a carried message whose origin's key is unknown: the first
    // copy enters the inbox as `item` (authenticity Unverified); every
    // distinct copy is kept to be checked once the key is known, unless a
    // verified copy is already in. One transaction; false if not the first.
    bool AddUnverified(const InboxItem& item, const UnverifiedCopy& copy);
    // Counts carried copies refused because their signature failed.
    void CountForged(int copies);
    std::vector<UnverifiedCopy> UnverifiedFrom(const std::string& sender);
    std::vector<std::string> UnverifiedSenders();
    // Ends the wait for (sender, origin-id): the inbox takes `genuine`'s body,
    // send time, via and authenticity, or with no genuine copy the message
    // leaves the inbox and its `forged` copies are counted. The kept copies
    // are forgotten. One transaction.
    void Settle(const std::string& sender, const std::string& origin_id, const InboxItem* genuine,
                int forged);

    // Delivery (Custody.cxx). A value kept across starts, such as where we
    // got to in our server's archive.
    std::optional<std::string> SyncValue(const std::string& name);
    void SetSyncValue(const std::string& name, const std::string& value);

    // What carriers report on our messages. True if it changed the message:
    // a queued one that nobody reported on yet is now "uploaded by carrier"
    // (`carrier` says so at `when`); one not delivered is now "delivered
    // (reported by carrier)", with the recipient's `receipt` signature (or
    // empty) to check once its key is known.
    bool MarkCarrierUploaded(const std::string& origin_id, const std::string& carrier, UnixMs when);
    bool MarkReportedDelivered(const std::string& origin_id, const std::string& carrier,
                               UnixMs when, const std::string& receipt);
    // The recipient refused a carried copy of it: no carrier's report
    // (earlier or later) holds our own send back. True if that is news.
    bool MarkRefusedByRecipient(const std::string& origin_id, UnixMs when);
    // How many times, since the store opened, a queued message became one
    // for carriers again (MarkRefusedByRecipient): walks of the queue that
    // went past it must start over.
    std::uint64_t Requeued() const noexcept;
    // Reports of delivery not checked yet, with the recipient (`to`) of each.
    std::vector<std::pair<OutboxItem, PendingReport>> PendingReports();
    // The report did not hold: the message is back to "uploaded by carrier".
    void RevertReport(const std::string& origin_id);
    // The earliest report of an upload, made after `after`, that we still
    // wait on a receipt for.
    std::optional<UnixMs> EarliestCustody(UnixMs after);
    // Whom our messages that carriers uploaded are for.
    std::vector<std::string> CustodyRecipients();

    // As a carrier: messages on their way to `recipient`, oldest first,
    // not expired by `now`.
    std::vector<CarriedItem> CarriedFor(const std::string& recipient, int limit, UnixMs now);
    // The recipient took it (`receipt`: its signature, or empty); true if
    // that is news. Counts delivered_for_others when `by_us`.
    bool MarkCarriedDelivered(const std::string& origin, const std::string& origin_id, UnixMs when,
                              const std::string& receipt, bool by_us);
    // The origin of the message we carried with that id for `recipient`.
    std::optional<std::string> CarriedOrigin(const std::string& origin_id,
                                             const std::string& recipient);
    // What origins have not been told yet: all of it, or one origin's.
    std::vector<CarrierNews> NewsDue(int limit);
    std::vector<CarrierNews> NewsFor(const std::string& origin, int limit);
    // The origin now knows `news` (never undone by older news).
    void MarkTold(const std::string& origin, const std::string& origin_id, CarriedNews news);

    // Looks an id (or a unique beginning or end of one, at least 4
    // characters) up in every box. Throws StoreError if nothing or more than
    // one message matches.
    FoundItem Find(std::string_view id_part);
    // Full-text search over outbox and inbox bodies; every word must match.
    // Throws StoreError on an empty query.
    std::vector<SearchHit> Search(std::string_view text, int limit = 100);

    // Link-local TLS pins vouched for (Pins.cxx): the pin remembered for
    // `account`, if any; the first one vouched for it (a different one is
    // not taken); forgetting the one `instance` showed, or `account`'s.
    // ForgetLinkPin returns whether there was one.
    std::optional<std::string> LinkPin(const std::string& account);
    void RememberLinkPin(const std::string& account, const std::string& pin,
                         const std::string& instance, UnixMs when);
    bool ForgetLinkPin(const std::string& instance, const std::string& account);

    void NoteNeighbour(const Neighbour& neighbour);
    std::vector<Neighbour> Neighbours();
    void LogHandshake(const HandshakeEvent& event);
    std::vector<HandshakeEvent> HandshakeLog(int limit);

    // The roster as last seen, plus contacts added since that wait to be synced.
    std::vector<Contact> Contacts();
    bool IsContact(const std::string& bare_jid);
    // Adds (or renames) a contact locally; synced stays as it was.
    void AddContact(const std::string& bare_jid, const std::string& name);
    // The server's roster replaces every synced contact; unsynced ones stay.
    void ReplaceRoster(std::span<const Contact> roster);
    void MarkContactSynced(const std::string& bare_jid);

    Counters GetCounters();
    QueueSizes GetQueueSizes();

    // Who moves the write-ahead log into the database, and when
    // (sqlite::Database::OnWalCommit): SQLite itself every 1000 pages, unless
    // a hook is given; Checkpoint does it now, and with `empty_log` leaves
    // no log file behind (when no other reader is in the way).
    void OnWalCommit(std::function<void(int pages)> hook);
    void Checkpoint(bool empty_log = false);
    // For WalSync: the write-ahead log's file, and how many Commit::kDeferred
    // commits were made so far.
    std::filesystem::path WalPath() const;
    std::uint64_t DeferredCommits() const noexcept;

private:
    // ExpireCarried's work, inside the caller's transaction.
    int DropExpiredCarried(UnixMs now);
    // AddCarried's work for one copy, inside its transaction: whether it is new.
    bool AddOneCarried(const CarriedItem& item);

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace pigeon::store
