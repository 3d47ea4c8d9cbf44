// The sizes status and the listings read (schema 17, and carried_load for
// what we carry) stay equal to what counting the rows gives, through every
// change the store makes, and a store from before schema 17 starts with its
// rows counted.
#include "sqlite/Database.hxx"
#include "store/Store.hxx"

#include "StoreFixture.hxx"

#include <doctest/doctest.h>

#include <span>
#include <string>

using namespace pigeon;
using namespace pigeon::store;

using test::Carried;
using test::kFarOff;
using test::TempDb;

namespace {

// What the sizes should be, counted the slow way.
QueueSizes Counted(const TempDb& tmp)
{
    sqlite::Database db(tmp.File());
    auto s = db.Prepare(
        "SELECT (SELECT count(*) FROM outbox WHERE state NOT IN ('delivered', 'expired') "
        "AND custody IS NOT 'reported'), (SELECT count(*) FROM carried WHERE uploaded IS NULL "
        "AND delivered IS NULL), (SELECT count(*) FROM inbox)");
    s.Step();
    return {s.Int(0), s.Int(1), s.Int(2)};
}

// The sizes kept, once checked against the rows.
QueueSizes CheckSizes(Store& store, const TempDb& tmp)
{
    const auto kept = store.GetQueueSizes();
    const auto counted = Counted(tmp);
    CHECK(kept.outbox_pending == counted.outbox_pending);
    CHECK(kept.carrying == counted.carrying);
    CHECK(kept.inbox == counted.inbox);
    return kept;
}

} // namespace

TEST_CASE("kept sizes follow every change to the outbox")
{
    TempDb tmp;
    Store store(tmp.File());
    std::string ids[6];
    for (int i = 0; i < 6; ++i)
        ids[i] = store
                     .Enqueue("jerry@example.org", "m" + std::to_string(i), 1000 + i,
                              i == 5 ? 5000 : kFarOff)
                     .id;
    CHECK(CheckSizes(store, tmp).outbox_pending == 6);
    store.MarkSent(ids[0], 2000); // sent is still on its way
    store.MarkDelivered(ids[0], 3000, false);
    store.MarkDelivered(ids[0], 3001, false); // a second receipt changes nothing
    store.MarkCarrierUploaded(ids[1], "kramer@example.org", 2000);
    store.MarkReportedDelivered(ids[2], "kramer@example.org", 2000, "sig");
    store.MarkReportedDelivered(ids[3], "kramer@example.org", 2000, "sig");
    store.RevertReport(ids[3]); // back on its way
    store.MarkRefusedByRecipient(ids[4], 2500);
    CheckSizes(store, tmp);
    store.Expire(6000); // ids[5]
    CHECK(CheckSizes(store, tmp).outbox_pending == 3);
    CHECK(store.OutboxPage({10, {}}).total == 6);
}

TEST_CASE("kept sizes follow the inbox and what we carry")
{
    TempDb tmp;
    Store store(tmp.File());
    InboxItem item{"id-1", "elaine@example.org", "running late", 100, 200, "direct"};
    CHECK(store.AddReceived(item));
    CHECK_FALSE(store.AddReceived(item)); // a duplicate is not counted
    InboxItem unverified{"id-2",
                         "elaine@example.org",
                         "forged",
                         100,
                         200,
                         "kramer@example.org",
                         Authenticity::Unverified};
    store.AddUnverified(unverified, {"id-2", "kramer@example.org", "<forwarded/>", 200});
    CheckSizes(store, tmp);
    store.Settle("elaine@example.org", "id-2", nullptr, 1); // it leaves the inbox
    CHECK(CheckSizes(store, tmp).inbox == 1);

    const CarriedItem copies[] = {Carried("elaine@example.org", "c1"),
                                  Carried("elaine@example.org", "c2"),
                                  Carried("george@example.org", "c3")};
    store.AddCarried(copies);
    store.AddCarried(std::span(copies, 1)); // held already
    store.MarkUploaded("elaine@example.org", "c1", 3000);
    store.MarkCarriedDelivered("elaine@example.org", "c2", 3000, "", true);
    CHECK(CheckSizes(store, tmp).carrying == 1);
    CHECK(store.CarryingPage({10, {}}).total == 1);
}

TEST_CASE("schema 17 counts the rows a store already has")
{
    TempDb tmp;
    {
        Store store(tmp.File());
        const auto id = store.Enqueue("jerry@example.org", "one", 1000, kFarOff).id;
        store.Enqueue("jerry@example.org", "two", 1001, kFarOff);
        store.MarkDelivered(id, 2000, false);
        store.AddReceived({"id-1", "elaine@example.org", "hi", 100, 200, "direct"});
    }
    {
        sqlite::Database db(tmp.File());
        db.Exec(PIGEON_UNDO_HANDOFF_COPIES PIGEON_UNDO_LEAN_CARRIED PIGEON_UNDO_BOX_SIZES
                "PRAGMA user_version = 16;");
    }
    Store store(tmp.File());
    CHECK(CheckSizes(store, tmp).outbox_pending == 1);
    CHECK(store.OutboxPage({10, {}}).total == 2);
}
