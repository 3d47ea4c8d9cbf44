#include "store/Store.hxx"

#include "crypto/Random.hxx"
#include "store/Impl.hxx"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>

namespace pigeon::store {
namespace {

// Turns what a user typed into an FTS5 query in which every word must appear,
// so that quotes, stars and operators in the text are matched, not obeyed.
std::string ToMatchQuery(std::string_view text)
{
    std::string query;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n'))
            ++i;
        if (i == text.size())
            break;
        query += query.empty() ? "\"" : " \"";
        while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n') {
            if (text[i] == '"')
                query += '"';
            query += text[i++];
        }
        query += '"';
    }
    return query;
}

} // namespace

const char* ToString(OutboxState state) noexcept
{
    switch (state) {
    case OutboxState::Queued:
        return "queued";
    case OutboxState::Sent:
        return "sent";
    case OutboxState::UploadedByCarrier:
        return "uploaded-by-carrier";
    case OutboxState::ReportedDelivered:
        return "delivered-reported-by-carrier";
    case OutboxState::Delivered:
        return "delivered";
    case OutboxState::Expired:
        return "expired";
    }
    return "queued";
}

const char* ToString(Authenticity authenticity) noexcept
{
    // In the enum's order; the database and the control socket hold these.
    static constexpr const char* kNames[] = {"server", "link-local", "signed", "unverified"};
    static_assert(std::size(kNames) == std::size_t(Authenticity::Unverified) + 1);
    return kNames[std::size_t(authenticity)];
}

Store::Store(const std::filesystem::path& path) : impl_(std::make_unique<Impl>(path))
{
}

Store::~Store() = default;

Page<OutboxItem> Store::OutboxPage(const PageRequest& request)
{
    return impl_->ReadPage(kPageOutbox, request, 4, 0, 0,
                           [this](auto& s) { return impl_->ReadOutboxWithCarriers(s); });
}

Page<CarriedItem> Store::CarryingPage(const PageRequest& request)
{
    return impl_->ReadPage(kPageCarrying, request, 5, 13, 1, ReadCarried);
}

Page<InboxItem> Store::InboxPage(const PageRequest& request)
{
    return impl_->ReadPage(kPageInbox, request, 4, 7, 2, ReadInbox);
}

std::vector<OutboxItem> Store::Outbox()
{
    return OutboxPage({std::numeric_limits<int>::max() - 1, std::nullopt}).items;
}

int Store::RecordHandoffs(const std::string& carrier, std::span<const std::string> origin_ids,
                          UnixMs handed, std::span<const int> copies)
{
    // Unsynced: the carrier answered after its own durable commit. Lost in a
    // crash, these messages are offered to it again, and its answer
    // ("duplicate", or "stored" for a copy it retakes) records them again.
    Impl::Unsynced unsynced(*impl_);
    sqlite::Transaction transaction(impl_->db);
    int added = 0;
    for (std::size_t i = 0; i < origin_ids.size(); ++i) {
        const auto& origin_id = origin_ids[i];
        auto& row = (*impl_)[kOutboxRowId];
        sqlite::ScopedReset row_reset(row);
        row.Bind(origin_id);
        if (!row.Step())
            continue; // not ours (any more): nothing to record
        // Its budget goes with it, on the handoff's own row (schema 20).
        auto& insert = (*impl_)[kInsertHandoff];
        sqlite::ScopedReset insert_reset(insert);
        insert.Bind(row.Int(0), carrier, handed, std::int64_t{i < copies.size() ? copies[i] : 0});
        insert.Run();
        added += impl_->db.Changes();
    }
    impl_->BumpCounter("handed_to_carriers", added);
    transaction.Commit();
    return added;
}

std::vector<OutboxItem> Store::PendingForRecipient(const std::string& recipient, UnixMs now)
{
    return impl_->Collect(kPendingForRecipient, ReadOutbox, recipient, now);
}

std::vector<OutboxItem> Store::PendingForServer(int limit, UnixMs custody_before, UnixMs now)
{
    return impl_->Collect(kPendingForServer, ReadOutbox, limit, custody_before, now);
}

std::optional<OutboxItem> Store::OutboxById(const std::string& origin_id)
{
    auto& s = (*impl_)[kOutboxById];
    sqlite::ScopedReset reset(s);
    s.Bind(origin_id);
    if (!s.Step())
        return std::nullopt;
    return impl_->ReadOutboxWithCarriers(s);
}

bool Store::MarkSent(const std::string& origin_id, UnixMs when)
{
    sqlite::Transaction transaction(impl_->db);
    auto& s = (*impl_)[kMarkSent];
    sqlite::ScopedReset reset(s);
    s.Bind(origin_id, when);
    s.Run();
    const int changed = impl_->db.Changes();
    impl_->BumpCounter("sent_direct", changed);
    transaction.Commit();
    return changed > 0;
}

bool Store::MarkDelivered(const std::string& origin_id, UnixMs when, bool via_carrier,
                          const DeliveryPath& path)
{
    sqlite::Transaction transaction(impl_->db);
    auto& s = (*impl_)[kMarkDelivered];
    sqlite::ScopedReset reset(s);
    s.Bind(origin_id, when, path.via, path.hops);
    s.Run();
    const bool first = impl_->db.Changes() > 0;
    if (first && via_carrier)
        impl_->BumpCounter("delivered_by_carriers", 1);
    transaction.Commit();
    return first;
}

std::vector<CarriedItem> Store::Carrying(UnixMs now, int limit)
{
    return impl_->Collect(kListCarrying, ReadCarried, now, std::int64_t{limit});
}

void Store::MarkUploaded(const std::string& origin, const std::string& origin_id, UnixMs when,
                         const std::string& digest)
{
    sqlite::Transaction transaction(impl_->db);
    auto& s = (*impl_)[kMarkUploaded];
    sqlite::ScopedReset reset(s);
    s.Bind(origin, origin_id, when, digest);
    s.Run();
    impl_->BumpCounter("uploaded_for_others", impl_->db.Changes());
    impl_->Run(kCarriedTombstone, origin, origin_id, when);
    transaction.Commit();
}

int Store::ExpireCarried(UnixMs now)
{
    sqlite::Transaction transaction(impl_->db);
    const int dropped = DropExpiredCarried(now);
    transaction.Commit();
    return dropped;
}

int Store::DropExpiredCarried(UnixMs now)
{
    auto& s = (*impl_)[kExpireCarried];
    sqlite::ScopedReset reset(s);
    s.Bind(now);
    s.Run();
    const int dropped = impl_->db.Changes();
    impl_->BumpCounter("expired_carried", dropped);
    auto& bodies = (*impl_)[kDropExpiredBodies];
    sqlite::ScopedReset bodies_reset(bodies);
    bodies.Bind(now);
    bodies.Run();
    return dropped;
}

Expired Store::Expire(UnixMs now)
{
    sqlite::Transaction transaction(impl_->db);
    Expired expired;
    expired.outbox = impl_->Collect(kExpireOutbox, ReadText, now);
    impl_->BumpCounter("expired", std::int64_t(expired.outbox.size()));
    expired.carried = DropExpiredCarried(now);
    impl_->Run(kExpireTombstones, now);
    transaction.Commit();
    return expired;
}

std::optional<UnixMs> Store::NextExpiry()
{
    return impl_
        ->First(kNextExpiry,
                [](const sqlite::Statement& s) {
                    return s.IsNull(0) ? std::nullopt : std::optional<UnixMs>(s.Int(0));
                })
        .value_or(std::nullopt);
}

Store::TombstoneAdded Store::AddTombstone(const Tombstone& t, UnixMs now)
{
    sqlite::Transaction transaction(impl_->db);
    impl_->Run(kAddTombstone, t.origin, t.id, t.to, t.until, t.receipt, t.verified ? 1 : 0, now);
    TombstoneAdded added{impl_->db.Changes() > 0, 0};
    if (!t.via.empty())
        impl_->Run(kTombstonePath, t.origin, t.id, t.via, std::int64_t{t.hops}, added.news ? 1 : 0);
    if (t.verified) {
        impl_->Run(kDropTombstoned, t.origin, t.id);
        added.dropped = impl_->db.Changes();
    }
    impl_->BumpCounter("tombstones_learned", added.news ? 1 : 0);
    transaction.Commit();
    return added;
}

std::vector<Tombstone> Store::TombstonesAfter(std::int64_t after, int limit, UnixMs now,
                                              bool only_verified)
{
    return impl_->Collect(
        kTombstonesAfter,
        [](const sqlite::Statement& s) {
            return Tombstone{s.Text(0),     s.Text(1), s.Text(2), s.Int(3),     s.Text(4),
                             s.Int(5) != 0, s.Int(6),  s.Text(7), int(s.Int(8))};
        },
        after, limit, now, only_verified ? 1 : 0);
}

std::optional<UnixMs> Store::CarriedExpiry(const std::string& origin, const std::string& origin_id)
{
    return impl_->First(
        kCarriedExpiry, [](const sqlite::Statement& s) { return s.Int(0); }, origin, origin_id);
}

bool Store::AddReceived(const InboxItem& item)
{
    auto& s = (*impl_)[kInsertInbox];
    sqlite::ScopedReset reset(s);
    s.Bind(item.id, item.from, item.body, item.sent, item.received, item.via,
           ToString(item.authenticity));
    s.Run();
    return impl_->db.Changes() > 0;
}

std::vector<InboxItem> Store::Inbox()
{
    return InboxPage({std::numeric_limits<int>::max() - 1, std::nullopt}).items;
}

FoundItem Store::Find(std::string_view id_part)
{
    if (id_part.size() < 4)
        throw StoreError(StoreError::Reason::BadInput,
                         "message id '" + std::string(id_part) +
                             "' is too short: give at least 4 characters");
    FoundItem found;
    int matches = 0;
    auto look = [&](Sql which, auto read, auto& slot) {
        auto& s = (*impl_)[which];
        sqlite::ScopedReset reset(s);
        s.Bind(id_part);
        while (s.Step()) {
            slot = read(s);
            ++matches;
        }
    };
    look(
        kFindOutbox, [this](auto& s) { return impl_->ReadOutboxWithCarriers(s); }, found.outbox);
    look(kFindCarried, ReadCarried, found.carried);
    look(kFindInbox, ReadInbox, found.inbox);
    if (matches == 0)
        throw StoreError(StoreError::Reason::NotFound,
                         "no message with id '" + std::string(id_part) + "'");
    if (matches > 1)
        throw StoreError(StoreError::Reason::Ambiguous, "message id '" + std::string(id_part) +
                                                            "' is ambiguous: give more characters");
    return found;
}

std::vector<SearchHit> Store::Search(std::string_view text, int limit)
{
    const std::string query = ToMatchQuery(text);
    if (query.empty())
        throw StoreError(StoreError::Reason::BadInput, "empty search: give at least one word");
    return impl_->Collect(
        kSearch,
        [](const sqlite::Statement& s) {
            return SearchHit{s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Text(4)};
        },
        query, limit);
}

void Store::NoteNeighbour(const Neighbour& n)
{
    impl_->RunUnsynced(kUpsertNeighbour, n.instance, n.jid, n.carrier ? 1 : 0, n.addresses,
                       n.last_seen);
}

std::vector<Neighbour> Store::Neighbours()
{
    return impl_->Collect(kListNeighbours, [](const sqlite::Statement& s) {
        return Neighbour{s.Text(0), s.Text(1), s.Int(2) != 0, s.Text(3), s.Int(4), s.Int(5)};
    });
}

void Store::LogHandshake(const HandshakeEvent& e)
{
    impl_->RunUnsynced(kInsertHandshake, e.at, e.instance, e.event, e.detail);
}

std::vector<HandshakeEvent> Store::HandshakeLog(int limit)
{
    return impl_->Collect(
        kListHandshakes,
        [](const sqlite::Statement& s) {
            return HandshakeEvent{s.Int(0), s.Text(1), s.Text(2), s.Text(3)};
        },
        limit);
}

std::vector<Contact> Store::Contacts()
{
    return impl_->Collect(kListContacts, [](const sqlite::Statement& s) {
        return Contact{s.Text(0), s.Text(1), s.Text(2), s.Int(3) != 0, s.Text(4)};
    });
}

bool Store::IsContact(const std::string& bare_jid)
{
    auto& s = (*impl_)[kIsContact];
    sqlite::ScopedReset reset(s);
    s.Bind(bare_jid);
    return s.Step();
}

void Store::AddContact(const std::string& bare_jid, const std::string& name)
{
    auto& s = (*impl_)[kAddContact];
    sqlite::ScopedReset reset(s);
    s.Bind(bare_jid, name);
    s.Run();
}

void Store::ReplaceRoster(std::span<const Contact> roster)
{
    sqlite::Transaction transaction(impl_->db);
    {
        auto& s = (*impl_)[kDeleteSyncedContacts];
        sqlite::ScopedReset reset(s);
        s.Run();
    }
    auto& s = (*impl_)[kUpsertRosterItem];
    for (const auto& contact : roster) {
        sqlite::ScopedReset reset(s);
        s.Bind(contact.jid, contact.name, contact.subscription);
        s.Run();
    }
    transaction.Commit();
}

void Store::MarkContactSynced(const std::string& bare_jid)
{
    auto& s = (*impl_)[kMarkContactSynced];
    sqlite::ScopedReset reset(s);
    s.Bind(bare_jid);
    s.Run();
}

Counters Store::GetCounters()
{
    auto& s = (*impl_)[kListCounters];
    sqlite::ScopedReset reset(s);
    Counters c;
    while (s.Step()) {
        const std::string name = s.Text(0);
        const std::int64_t value = s.Int(1);
        if (name == "sent_direct")
            c.sent_direct = value;
        else if (name == "handed_to_carriers")
            c.handed_to_carriers = value;
        else if (name == "delivered_by_carriers")
            c.delivered_by_carriers = value;
        else if (name == "carried_for_others")
            c.carried_for_others = value;
        else if (name == "uploaded_for_others")
            c.uploaded_for_others = value;
        else if (name == "forged_refused")
            c.forged_refused = value;
        else if (name == "delivered_for_others")
            c.delivered_for_others = value;
        else if (name == "expired")
            c.expired = value;
        else if (name == "expired_carried")
            c.expired_carried = value;
        else if (name == "tombstones_learned")
            c.tombstones_learned = value;
        else if (name == "summary_skipped")
            c.summary_skipped = value;
    }
    return c;
}

QueueSizes Store::GetQueueSizes()
{
    auto& s = (*impl_)[kQueueSizes];
    sqlite::ScopedReset reset(s);
    s.Step();
    return {s.Int(0), s.Int(1), s.Int(2)};
}

void Store::OnWalCommit(std::function<void(int pages)> hook)
{
    impl_->db.OnWalCommit(std::move(hook));
}

void Store::Checkpoint(bool empty_log)
{
    impl_->db.Checkpoint(empty_log);
}

std::filesystem::path Store::WalPath() const
{
    auto wal = impl_->path;
    wal += "-wal"; // SQLite's name for it, beside the database
    return wal;
}

std::uint64_t Store::DeferredCommits() const noexcept
{
    return impl_->deferred_commits;
}

} // namespace pigeon::store
