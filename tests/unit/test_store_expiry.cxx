// Expiry in the store (issue 11): what expires when, what it leaves behind,
// and the schema migration that brought the outbox its expiry.

#include "sqlite/Database.hxx"
#include "store/Store.hxx"

#include "StoreFixture.hxx"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace pigeon;
using namespace pigeon::store;

using test::Carried;
using test::kFarOff;
using test::TempDb;

TEST_CASE("our messages expire undelivered, and nothing hands on, sends or uploads them after")
{
    TempDb tmp;
    Store store(tmp.File());
    const auto early = store.Enqueue("jerry@example.org", "soon", 1000, 5000);
    const auto late = store.Enqueue("jerry@example.org", "later", 1000, 9000);
    const auto delivered = store.Enqueue("jerry@example.org", "done", 1000, 5000);
    store.MarkDelivered(delivered.id, 2000, false);
    const CarriedItem carried[] = {Carried("elaine@example.org", "c-1")}; // expires 90000
    store.AddCarried(carried);
    CHECK(store.NextExpiry() == 5000);

    // Just before: still work for carriers, the server and the recipient.
    CHECK(store.PendingForCarrier("k@x", 5, 10, 4999).size() == 2);
    CHECK(store.PendingForServer(10, 0, 4999).size() == 2);
    CHECK(store.PendingForRecipient("jerry@example.org", 4999).size() == 2);
    // From its expiry on, even before the store marked it: none of it.
    CHECK(store.PendingForCarrier("k@x", 5, 10, 5000).size() == 1);
    CHECK(store.PendingForServer(10, 0, 5000).size() == 1);
    CHECK(store.PendingForRecipient("jerry@example.org", 5000).size() == 1);
    CHECK(store.Carrying(89999).size() == 1);
    CHECK(store.Carrying(90000).empty());
    CHECK(store.CarriedFor("jerry@example.org", 10, 90000).empty());

    auto expired = store.Expire(5000);
    CHECK(expired.outbox == std::vector<std::string>{early.id});
    CHECK(expired.carried == 0);
    CHECK(store.OutboxById(early.id)->state == OutboxState::Expired);
    CHECK(store.OutboxById(delivered.id)->state == OutboxState::Delivered);
    CHECK(store.OutboxById(late.id)->expires == 9000);
    CHECK(store.NextExpiry() == 9000);
    CHECK(store.GetCounters().expired == 1);
    CHECK(store.GetQueueSizes().outbox_pending == 1); // expired is not pending
    CHECK(store.Expire(5000).outbox.empty());         // once

    expired = store.Expire(90000);
    CHECK(expired.outbox == std::vector<std::string>{late.id});
    CHECK(expired.carried == 1);
    CHECK_FALSE(store.NextExpiry().has_value()); // nothing left to wait for

    // A receipt that comes after all is the truth.
    CHECK(store.MarkDelivered(early.id, 100000, false));
    CHECK(store.OutboxById(early.id)->state == OutboxState::Delivered);
}

TEST_CASE("a carrier's report of delivery keeps a message from expiring")
{
    TempDb tmp;
    Store store(tmp.File());
    const auto m = store.Enqueue("jerry@example.org", "hi", 1000, 5000);
    CHECK(store.MarkReportedDelivered(m.id, "kramer@example.org", 2000, ""));
    CHECK_FALSE(store.NextExpiry().has_value());
    CHECK(store.Expire(6000).outbox.empty());
    CHECK(store.OutboxById(m.id)->state == OutboxState::ReportedDelivered);
}

TEST_CASE("schema 7 keeps the outbox, its handoffs and its search index")
{
    TempDb tmp;
    const std::string id = test::QueueHandedOver(tmp, "running late", 1000, "kramer@laptop", 2000);
    {
        // Back to schema 6 as it was: no expiry, the old CHECK.
        sqlite::Database db(tmp.File());
        db.Exec("PRAGMA foreign_keys = ON;" PIGEON_UNDO_HANDOFF_COPIES PIGEON_UNDO_LEAN_CARRIED
                    PIGEON_UNDO_BOX_SIZES PIGEON_UNDO_SEALS PIGEON_UNDO_PINS PIGEON_UNDO_SUMMARY
                        PIGEON_UNDO_TOMBSTONE_PATH PIGEON_UNDO_SCHEMA_12
                "DROP TABLE relays; DROP INDEX carried_spray;"
                "ALTER TABLE carried DROP COLUMN copies; ALTER TABLE carried DROP COLUMN path;"
                "DROP TABLE tombstones;"
                "DELETE FROM counters WHERE name = 'tombstones_learned';"
                "DROP INDEX carried_by_peer; DROP INDEX carried_by_origin;"
                "ALTER TABLE carried DROP COLUMN bytes; CREATE TEMP TABLE h AS "
                "SELECT * FROM handoffs;"
                "CREATE TABLE o6 (id INTEGER PRIMARY KEY, origin_id TEXT NOT NULL UNIQUE,"
                " recipient TEXT NOT NULL, body TEXT NOT NULL, created INTEGER NOT NULL,"
                " state TEXT NOT NULL DEFAULT 'queued'"
                " CHECK (state IN ('queued', 'sent', 'delivered')), sent INTEGER,"
                " delivered INTEGER, custody TEXT, custody_by TEXT, custody_at INTEGER,"
                " receipt TEXT);"
                "INSERT INTO o6 SELECT id, origin_id, recipient, body, created, state, sent,"
                " delivered, custody, custody_by, custody_at, receipt FROM outbox;"
                "DROP TABLE outbox; ALTER TABLE o6 RENAME TO outbox;"
                "INSERT INTO handoffs SELECT * FROM h; DROP INDEX carried_expiry;"
                "DELETE FROM counters WHERE name IN ('expired', 'expired_carried');"
                "PRAGMA user_version = 6;");
    }
    Store store(tmp.File());
    const auto item = store.OutboxById(id);
    REQUIRE(item);
    CHECK(item->expires == 1000 + 7 * 24 * 3600 * 1000LL); // the default ttl from its creation
    REQUIRE(item->carriers.size() == 1);
    CHECK(item->carriers[0].carrier == "kramer@laptop");
    CHECK(store.Search("late").size() == 1);
    store.Enqueue("jerry@example.org", "another late one", 1000, kFarOff);
    CHECK(store.Search("late").size() == 2); // the index follows new rows again
    CHECK(store.Expire(1000 + 7 * 24 * 3600 * 1000LL).outbox.size() == 1);
}
