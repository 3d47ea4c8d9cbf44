#pragma once
// What the store's tests share: a fresh database file per test case, an
// expiry no test reaches, a carried message to store, and a store holding
// one message handed over.

#include "store/Model.hxx"
#include "store/Store.hxx"

#include "TempDir.hxx"

#include <filesystem>
#include <span>
#include <string>

namespace pigeon::test {

// An expiry that no test reaches.
constexpr UnixMs kFarOff = 4'000'000'000'000;

// A fresh database file per test case, removed afterwards.
struct TempDb : TempDir {
    TempDb() : TempDir("pigeon-store") {}
    std::filesystem::path File() const { return dir / "pigeon.db"; }
};

// Elaine's message `id` (or `origin`'s), carried by us from kramer, expiring at 90000.
inline store::CarriedItem Carried(const std::string& origin, const std::string& id)
{
    return {id, origin, "jerry@example.org", "kramer@laptop", 1000, 2000, 90000, 0, "<message/>"};
}

// Queues `body` for Jerry at `queued` in the store of `db` and records that
// `carrier` took it at `handed` (with `copies` of its budget, if given), as
// the migration tests' starting point; returns its origin-id.
inline std::string QueueHandedOver(const TempDb& db, const std::string& body, UnixMs queued,
                                   const std::string& carrier, UnixMs handed,
                                   std::span<const int> copies = {})
{
    store::Store store(db.File());
    std::string id = store.Enqueue("jerry@example.org", body, queued, kFarOff).id;
    const std::string ids[] = {id};
    store.RecordHandoffs(carrier, ids, handed, copies);
    return id;
}

// Each takes a store back one schema version, for the tests that take it
// back further: prepended to their own SQL, the newest first.

// Takes a store back before schema 12 (triggers keeping carried loads).
#define PIGEON_UNDO_SCHEMA_12                                                                      \
    "DROP TRIGGER carried_load_out; DROP TRIGGER carried_load_done;"                               \
    "DROP TABLE carried_load; CREATE INDEX carried_by_origin ON carried(origin, bytes)"            \
    " WHERE uploaded IS NULL AND delivered IS NULL;"

// Takes a store back before schema 13 (tombstones' delivery path).
#define PIGEON_UNDO_TOMBSTONE_PATH                                                                 \
    "ALTER TABLE tombstones DROP COLUMN via; ALTER TABLE tombstones DROP COLUMN hops;"

// Takes a store at schema 14 (summary vectors) back to 13.
#define PIGEON_UNDO_SUMMARY                                                                        \
    "DROP INDEX carried_summary; DELETE FROM counters WHERE name = 'summary_skipped';"

// Takes a store at schema 15 (vouched link-local pins) back to 14.
#define PIGEON_UNDO_PINS "DROP TABLE link_pins;"

// Takes a store at schema 16 (seals made once) back to 15.
#define PIGEON_UNDO_SEALS                                                                          \
    "ALTER TABLE outbox DROP COLUMN signed_as; ALTER TABLE outbox DROP COLUMN sealed_for;"         \
    "ALTER TABLE outbox DROP COLUMN sealed; ALTER TABLE outbox DROP COLUMN signature;"

// Takes a store at schema 17 (kept box sizes) back to 16.
#define PIGEON_UNDO_BOX_SIZES                                                                      \
    "DROP TRIGGER outbox_size_in; DROP TRIGGER outbox_size_out; DROP TRIGGER outbox_size_moved;"   \
    "DROP TRIGGER inbox_size_in; DROP TRIGGER inbox_size_out; DROP TABLE box_sizes;"               \
    "CREATE INDEX outbox_open ON outbox(created)"                                                  \
    " WHERE state NOT IN ('delivered', 'expired') AND custody IS NOT 'reported';"
// Takes a store at schema 20 (budgets on handoffs) back to 19.
#define PIGEON_UNDO_HANDOFF_COPIES "ALTER TABLE handoffs DROP COLUMN copies;"
// Takes a store at schema 18 (fewer carried indexes) back to 17.
#define PIGEON_UNDO_LEAN_CARRIED                                                                   \
    "DROP INDEX carried_listing; CREATE INDEX carried_listing ON carried(received, id)"            \
    " WHERE uploaded IS NULL AND delivered IS NULL;"                                               \
    "CREATE INDEX carried_summary ON carried(origin, origin_id)"                                   \
    " WHERE uploaded IS NULL AND delivered IS NULL;"                                               \
    "CREATE INDEX carried_pending ON carried(expires) WHERE uploaded IS NULL;"

} // namespace pigeon::test
