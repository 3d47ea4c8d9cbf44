#pragma once
// Inside the store: the one table of SQL statements (Statements.cxx), how
// rows become records, and the open database they run on. Only lib/store
// includes this.

#include "sqlite/Database.hxx"
#include "store/Schema.hxx"
#include "store/Store.hxx"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace pigeon::store {

// Every SQL statement the store runs, prepared once when it opens.
enum Sql {
    kInsertOutbox,
    kPageOutbox,
    kFindOutbox,
    kOutboxRowId,
    kListHandoffs,
    kInsertHandoff,
    kPendingForCarrier,
    kPendingForRecipient,
    kPendingForServer,
    kOutboxById,
    kMarkSent,
    kMarkDelivered,
    kInsertCarried,
    kListCarrying,
    kPageCarrying,
    kFindCarried,
    kMarkUploaded,
    kExpireCarried,
    kInsertInbox,
    kPageInbox,
    kFindInbox,
    kBumpCounter,
    kListCounters,
    kUpsertNeighbour,
    kListNeighbours,
    kInsertHandshake,
    kListHandshakes,
    kQueueSizes,
    kListTotals,
    kSearch,
    kListContacts,
    kIsContact,
    kAddContact,
    kDeleteSyncedContacts,
    kUpsertRosterItem,
    kMarkContactSynced,
    kSetKey,
    kGetKey,
    kInboxAuthenticity,
    kSettleInbox,
    kDeleteInbox,
    kKeepCopy,
    kListCopies,
    kForgetCopies,
    kUnverifiedSenders,
    kGetSync,
    kSetSync,
    kMarkCustody,
    kMarkReported,
    kListReported,
    kRevertReport,
    kNextCustodyWait,
    kCustodyRecipients,
    kCarriedFor,
    kMarkCarriedDelivered,
    kCarriedOrigin,
    kNewsDue,
    kNewsFor,
    kMarkTold,
    kMarkRefused,
    kExpireOutbox,
    kNextExpiry,
    kDropExpiredBodies,
    kAddTombstone,
    kDropTombstoned,
    kTombstonesAfter,
    kExpireTombstones,
    kCarriedTombstone,
    kCarriedExpiry,
    kCarriedByPeer,
    kCarriedFromOrigin,
    kEvictionOrder,
    kEvictCarried,
    kSyncNormal,
    kSyncFull,
    kToHandOn,
    kRecordRelay,
    kSpendCopies,
    kAddCarriedLoad,
    kTombstonePath,
    kHeldCopy,
    kTombstoneOf,
    kSummaryHeld,
    kSummaryTombstones,
    kLinkPin,
    kRememberLinkPin,
    kForgetLinkPin,
    kUnsealedQueue,
    kSaveSeal,
    kCopiesOf,
    kRetakeCopy,
    kSqlCount
};

extern const std::array<const char*, kSqlCount> kStatements;

// The database holds only what ToString wrote; anything else is read as the
// weakest claim, so that nothing unknown passes for vouched.
inline Authenticity ParseAuthenticity(const std::string& text) noexcept
{
    for (auto a : {Authenticity::Server, Authenticity::LinkLocal, Authenticity::Signed})
        if (text == ToString(a))
            return a;
    return Authenticity::Unverified;
}

// The state column, then what carriers reported (schema 5) where it says more.
inline OutboxState ParseState(const std::string& state, const std::string& custody) noexcept
{
    if (state == "delivered")
        return OutboxState::Delivered;
    if (custody == "reported")
        return OutboxState::ReportedDelivered;
    if (state == "sent")
        return OutboxState::Sent;
    if (state == "expired") // even if a carrier uploaded it: no receipt came in time
        return OutboxState::Expired;
    if (custody == "uploaded")
        return OutboxState::UploadedByCarrier;
    return OutboxState::Queued;
}

inline OutboxItem ReadOutbox(const sqlite::Statement& s)
{
    return {s.Text(1),
            s.Text(2),
            s.Text(3),
            s.Int(4),
            ParseState(s.Text(5), s.Text(8)),
            s.Int(6),
            s.Int(7),
            {},
            s.Text(9),
            s.Int(10),
            s.Int(11),
            s.Text(12),
            int(s.Int(13)),
            int(s.Int(14))};
}

// ReadOutbox, then the seal columns that follow OUTBOX_COLUMNS (SEAL_COLUMNS).
inline OutboxItem ReadQueued(const sqlite::Statement& s)
{
    auto item = ReadOutbox(s);
    item.seal = {s.Text(15), s.Text(16), s.Text(17), s.Text(18)};
    return item;
}

inline CarriedItem ReadCarried(const sqlite::Statement& s)
{
    return {s.Text(0), s.Text(1), s.Text(2), s.Text(3),  s.Int(4),       s.Int(5),  s.Int(6),
            s.Int(7),  s.Text(8), s.Int(9),  s.Text(10), int(s.Int(11)), s.Text(12)};
}

inline std::string ReadText(const sqlite::Statement& s)
{
    return s.Text(0);
}

inline CarrierNews ReadNews(const sqlite::Statement& s)
{
    return {s.Text(0), s.Text(1), s.Text(2),
            s.Int(3) != 0 ? CarriedNews::Delivered : CarriedNews::Uploaded, s.Text(4)};
}

inline InboxItem ReadInbox(const sqlite::Statement& s)
{
    return {s.Text(0),
            s.Text(1),
            s.Text(2),
            s.Int(3),
            s.Int(4),
            s.Text(5),
            ParseAuthenticity(s.Text(6))};
}

struct Store::Impl {
    sqlite::Database db;
    std::vector<sqlite::Statement> statements;
    std::uint64_t requeued = 0; // Store::Requeued
    std::filesystem::path path;
    std::uint64_t deferred_commits = 0; // Store::DeferredCommits

    explicit Impl(const std::filesystem::path& db_path) : db(db_path), path(db_path)
    {
        // WAL keeps readers off the writer's back; FULL makes each COMMIT
        // durable before it returns, which acknowledgements rely on.
        db.Exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
                "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
        Migrate(db);
        statements.reserve(kSqlCount);
        for (const char* sql : kStatements)
            statements.push_back(db.Prepare(sql));
    }

    sqlite::Statement& operator[](Sql which) { return statements[which]; }

    // While one lives, commits do not wait for the disk: WAL stays
    // consistent, a crash loses at most the commits made under it, and the
    // next durable commit (or a WalSync) syncs them too. For what nothing
    // outside relies on: diagnostics, a note that a carrier took a message
    // (lost, it is offered again and answered "duplicate").
    class Unsynced {
    public:
        explicit Unsynced(Impl& impl) : impl_(impl) { impl_.Run(kSyncNormal); }
        // Failing to go back to FULL would leave every later acknowledgement
        // undurable: it throws out of a noexcept destructor, ending the daemon.
        ~Unsynced() { impl_.Run(kSyncFull); }
        Unsynced(const Unsynced&) = delete;
        Unsynced& operator=(const Unsynced&) = delete;

    private:
        Impl& impl_;
    };

    // Runs `which` with `args` as an unsynced commit of its own: for
    // diagnostics (who was seen, the handshake log) written on the way to an
    // acknowledgement.
    template <typename... Args> void RunUnsynced(Sql which, const Args&... args)
    {
        Unsynced unsynced(*this);
        auto& s = (*this)[which];
        sqlite::ScopedReset reset(s);
        s.BindBorrowed(args...); // alive until `reset`
        s.Run();
    }

    void Run(Sql which)
    {
        auto& s = (*this)[which];
        sqlite::ScopedReset reset(s);
        s.Run();
    }

    // Runs a query with `args` and reads every row with `read`.
    template <typename Read, typename... Args>
    auto Collect(Sql which, Read read, const Args&... args)
    {
        auto& s = (*this)[which];
        sqlite::ScopedReset reset(s);
        s.BindBorrowed(args...); // alive until `reset`
        std::vector<decltype(read(s))> rows;
        while (s.Step())
            rows.push_back(read(s));
        return rows;
    }

    // A page of `which` (a listing's OLDER_THAN statement), read with `read`;
    // `at` and `row` are the columns of its cursor, `total` its column in
    // kListTotals.
    template <typename Read>
    auto ReadPage(Sql which, const PageRequest& request, int at, int row, int total, Read read)
    {
        constexpr auto kNewest = std::numeric_limits<std::int64_t>::max();
        const ListCursor before = request.before.value_or(ListCursor{kNewest, kNewest});
        const std::int64_t limit = std::max(request.limit, 0);
        Page<decltype(read(std::declval<const sqlite::Statement&>()))> page;
        auto& s = (*this)[which];
        sqlite::ScopedReset reset(s);
        s.Bind(before.at, before.row, limit + 1); // one more tells whether older rows remain
        while (s.Step()) {
            if (std::int64_t(page.items.size()) == limit) {
                page.older = true;
                break;
            }
            page.items.push_back(read(s));
            page.cursors.push_back({s.Int(at), s.Int(row)});
        }
        std::reverse(page.items.begin(), page.items.end());
        std::reverse(page.cursors.begin(), page.cursors.end());
        page.total = *First(kListTotals, [total](const auto& t) { return t.Int(total); });
        return page;
    }

    // The first row's value, read with `read`, if there is a row.
    template <typename Read, typename... Args>
    auto First(Sql which, Read read, const Args&... args)
        -> std::optional<decltype(read(std::declval<const sqlite::Statement&>()))>
    {
        auto& s = (*this)[which];
        sqlite::ScopedReset reset(s);
        s.BindBorrowed(args...); // alive until `reset`
        if (!s.Step())
            return std::nullopt;
        return read(s);
    }

    // Runs a statement that returns no rows; how many rows it changed.
    template <typename... Args> int Run(Sql which, const Args&... args)
    {
        auto& s = (*this)[which];
        sqlite::ScopedReset reset(s);
        s.BindBorrowed(args...); // alive until `reset`
        s.Run();
        return db.Changes();
    }

    void BumpCounter(const char* name, std::int64_t by)
    {
        auto& s = (*this)[kBumpCounter];
        sqlite::ScopedReset reset(s);
        s.Bind(name, by);
        s.Run();
    }

    std::vector<Handoff> Handoffs(std::int64_t outbox_row)
    {
        auto& s = (*this)[kListHandoffs];
        sqlite::ScopedReset reset(s);
        s.Bind(outbox_row);
        std::vector<Handoff> result;
        while (s.Step())
            result.push_back({s.Text(0), s.Int(1)});
        return result;
    }

    OutboxItem ReadOutboxWithCarriers(const sqlite::Statement& s)
    {
        auto item = ReadOutbox(s);
        item.carriers = Handoffs(s.Int(0));
        return item;
    }
};

} // namespace pigeon::store
