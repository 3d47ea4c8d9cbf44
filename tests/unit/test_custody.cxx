// Delivery the origin can see: carriers' reports on its messages, receipts
// signed by the recipient, and what a carrier keeps until the origin is told.

#include "StoreFixture.hxx"
#include "TempDir.hxx"
#include "crypto/Base64.hxx"
#include "inbox/Receiver.hxx"
#include "sqlite/Database.hxx"
#include "store/Store.hxx"
#include "xml/Document.hxx"
#include "xml/Serializer.hxx"
#include "xmpp/Custody.hxx"

#include <doctest/doctest.h>

using namespace pigeon;
using inbox::Custody;
using store::OutboxState;

namespace {

// An expiry that no test reaches.
constexpr UnixMs kFarOff = 4'000'000'000'000;

const std::string kElaine = "elaine@example.org";
const std::string kJerry = "jerry@example.org";
const std::string kKramer = "kramer@example.org";

struct Fixture {
    test::TempDir dir{"pigeon-custody"};
    store::Store store{dir.dir / "pigeon.db"};
    crypto::Identity elaine = crypto::Identity::Generate();
    crypto::Identity jerry = crypto::Identity::Generate();
    crypto::Identity kramer = crypto::Identity::Generate();
    inbox::Receiver receiver{store, elaine};

    // One of Elaine's messages that Kramer carries.
    std::string Carried()
    {
        const auto id = store.Enqueue(kJerry, "running late", 1000, kFarOff).id;
        const std::string ids[] = {id};
        store.RecordHandoffs("kramer@kramer", ids, 2000);
        return id;
    }

    xmpp::CustodyReport Report(const std::string& id, std::string_view status,
                               std::string receipt = {})
    {
        return {kElaine, id, kJerry, std::string(status), kKramer, std::move(receipt)};
    }

    std::string JerrySigns(const std::string& id)
    {
        return xmpp::SignReceipt(jerry, kJerry, kElaine, id);
    }

    void ElaineKnowsJerry() { store.SetKey(kJerry, crypto::ToBase64(jerry.Public()), 1); }

    OutboxState State() { return store.Outbox().at(0).state; }
};

} // namespace

TEST_CASE("a report goes on the wire and back, and only its carrier's key bears it out")
{
    Fixture f;
    auto report = f.Report("ID", xmpp::kDelivered, f.JerrySigns("ID"));
    xmpp::Sign(report, f.kramer);
    const auto read =
        xmpp::ParseReport(xml::ParseDocument(xml::Serialize(xmpp::ToElement(report))));
    REQUIRE(read);
    CHECK(read->receipt == report.receipt);
    CHECK(xmpp::Check(*read, f.kramer.Public()));
    CHECK_FALSE(xmpp::Check(*read, f.jerry.Public()));
    auto changed = *read;
    changed.status = std::string(xmpp::kUploaded);
    CHECK_FALSE(xmpp::Check(changed, f.kramer.Public()));
    auto element = xmpp::ToElement(report);
    element.SetAttr("status", "lost");
    CHECK_FALSE(xmpp::ParseReport(element));
}

TEST_CASE("a receipt signature names the recipient, the origin and the message")
{
    Fixture f;
    const auto signature = f.JerrySigns("ID");
    CHECK(xmpp::CheckReceipt(f.jerry.Public(), kJerry, kElaine, "ID", signature));
    CHECK_FALSE(xmpp::CheckReceipt(f.jerry.Public(), kJerry, kElaine, "OTHER", signature));
    CHECK_FALSE(xmpp::CheckReceipt(f.jerry.Public(), kJerry, kKramer, "ID", signature));
    CHECK_FALSE(xmpp::CheckReceipt(f.kramer.Public(), kJerry, kElaine, "ID", signature));
    CHECK_FALSE(xmpp::CheckReceipt(f.jerry.Public(), kJerry, kElaine, "ID", "not base64!"));
}

TEST_CASE("uploaded by a carrier holds our own send back until the wait is over")
{
    Fixture f;
    const auto id = f.Carried();
    CHECK(f.store.PendingForServer(10, 0, 0).size() == 1);
    CHECK(f.receiver.TakeReport(f.Report(id, xmpp::kUploaded), kElaine, true, 5000) ==
          Custody::Uploaded);
    CHECK(f.receiver.TakeReport(f.Report(id, xmpp::kUploaded), kElaine, true, 6000) ==
          Custody::Nothing);
    CHECK(f.State() == OutboxState::UploadedByCarrier);
    CHECK(f.store.Outbox()[0].reported_by == kKramer);
    CHECK(f.store.Outbox()[0].reported == 5000);
    CHECK(f.store.PendingForServer(10, 4999, 0).empty());     // still waiting for a receipt
    CHECK(f.store.PendingForServer(10, 5000, 0).size() == 1); // a lying carrier cannot stop it
    CHECK(f.store.EarliestCustody(4999) == 5000);
    CHECK_FALSE(f.store.EarliestCustody(5000));
    CHECK(f.store.CustodyRecipients() == std::vector<std::string>{kJerry});
    CHECK(f.store.PendingForCarrier("george@george", 5, 10, 0).empty()); // on the server already
    CHECK(f.store.GetQueueSizes().outbox_pending == 1);
}

TEST_CASE("a report that is not about one of our messages to its recipient changes nothing")
{
    Fixture f;
    const auto id = f.Carried();
    auto other_recipient = f.Report(id, xmpp::kUploaded);
    other_recipient.to = "newman@example.org";
    CHECK(f.receiver.TakeReport(other_recipient, kElaine, true, 1) == Custody::NotOurs);
    CHECK(f.receiver.TakeReport(f.Report("no-such-id", xmpp::kUploaded), kElaine, true, 1) ==
          Custody::NotOurs);
    CHECK(f.receiver.TakeReport(f.Report(id, xmpp::kUploaded), "george@example.org", true, 1) ==
          Custody::NotOurs);
    CHECK(f.State() == OutboxState::Queued);
}

TEST_CASE("delivered with the recipient's signature is delivered, by a carrier")
{
    Fixture f;
    f.ElaineKnowsJerry();
    const auto id = f.Carried();
    // Over the link as well: the signature is what counts.
    CHECK(f.receiver.TakeReport(f.Report(id, xmpp::kDelivered, f.JerrySigns(id)), kElaine, false,
                                1) == Custody::Delivered);
    CHECK(f.State() == OutboxState::Delivered);
    CHECK(f.store.GetCounters().delivered_by_carriers == 1);
    CHECK(f.receiver.TakeReport(f.Report(id, xmpp::kDelivered, f.JerrySigns(id)), kElaine, true,
                                2) == Custody::Nothing);
}

TEST_CASE("delivered without the signature of a recipient whose key we know is doubted")
{
    Fixture f;
    f.ElaineKnowsJerry();
    const auto id = f.Carried();
    const auto forged = xmpp::SignReceipt(f.kramer, kJerry, kElaine, id);
    CHECK(f.receiver.TakeReport(f.Report(id, xmpp::kDelivered, forged), kElaine, true, 1) ==
          Custody::Doubted);
    CHECK(f.State() == OutboxState::UploadedByCarrier);
    CHECK(f.receiver.TakeReport(f.Report(id, xmpp::kDelivered), kElaine, true, 2) ==
          Custody::Doubted);
    CHECK(f.State() == OutboxState::UploadedByCarrier);
    CHECK(f.store.GetCounters().delivered_by_carriers == 0);
}

TEST_CASE("a stock client's receipt, relayed through our server, ends the wait for good")
{
    Fixture f;
    const auto id = f.Carried();
    // Over the link nobody vouches for the carrier: it is at most on its way.
    CHECK(f.receiver.TakeReport(f.Report(id, xmpp::kDelivered), kElaine, false, 1) ==
          Custody::Doubted);
    CHECK(f.receiver.TakeReport(f.Report(id, xmpp::kDelivered), kElaine, true, 2) ==
          Custody::Reported);
    CHECK(f.State() == OutboxState::ReportedDelivered);
    CHECK(f.store.PendingForServer(10, 1'000'000, 0).empty());
    CHECK(f.store.GetQueueSizes().outbox_pending == 0);
    CHECK(f.receiver.TakeReceipt(id, kJerry) == inbox::Delivery::Delivered); // its own, later
    CHECK(f.State() == OutboxState::Delivered);
}

TEST_CASE(
    "the recipient's refusal of a carried copy outweighs what carriers report, before or after")
{
    Fixture f;
    const auto early = f.Carried();
    const auto late = f.Carried();
    CHECK(f.receiver.TakeReport(f.Report(early, xmpp::kUploaded), kElaine, true, 5) ==
          Custody::Uploaded);
    CHECK_FALSE(f.receiver.TakeRefusal(early, kKramer)); // only its recipient's word counts
    CHECK(f.receiver.TakeRefusal(early, kJerry));
    CHECK_FALSE(f.receiver.TakeRefusal(early, kJerry));
    CHECK(f.receiver.TakeRefusal(late, kJerry));
    CHECK(f.receiver.TakeReport(f.Report(late, xmpp::kUploaded), kElaine, true, 6) ==
          Custody::Nothing);
    CHECK(f.receiver.TakeReport(f.Report(late, xmpp::kDelivered), kElaine, true, 7) ==
          Custody::Nothing);
    CHECK(f.store.PendingForServer(10, 0, 0).size() == 2); // we send them ourselves, at once
    CHECK(f.store.PendingForCarrier("george@george", 5, 10, 0).size() == 2);
    CHECK(f.State() == OutboxState::Queued);
    const auto refusal = xml::ParseDocument(
        "<message><refused xmlns='urn:xmpp:pigeon:custody:0' id='ID' via='k'/></message>");
    CHECK(xmpp::RefusedId(refusal) == "ID");
}

TEST_CASE("a report checked once the recipient's key is known: it holds, or it does not")
{
    Fixture f;
    const auto good = f.Carried();
    const auto unsigned_one = f.Carried();
    const auto forged = f.Carried();
    CHECK(f.receiver.TakeReport(f.Report(good, xmpp::kDelivered, f.JerrySigns(good)), kElaine,
                                false, 1) == Custody::Reported);
    CHECK(f.receiver.TakeReport(f.Report(unsigned_one, xmpp::kDelivered), kElaine, true, 1) ==
          Custody::Reported);
    CHECK(f.receiver.TakeReport(f.Report(forged, xmpp::kDelivered,
                                         xmpp::SignReceipt(f.kramer, kJerry, kElaine, forged)),
                                kElaine, true, 1) == Custody::Reported);
    const auto settled = f.receiver.SettleReports(kJerry, f.jerry.Public(), kElaine);
    REQUIRE(settled.size() == 3);
    for (const auto& item : f.store.Outbox())
        CHECK(item.state ==
              (item.id == good ? OutboxState::Delivered : OutboxState::UploadedByCarrier));
    CHECK(f.receiver.SettleReports(kJerry, f.jerry.Public(), kElaine).empty());
}

TEST_CASE("a carrier keeps what the recipient took, and what the origin was told")
{
    Fixture f;
    store::CarriedItem item{"ID", kElaine, kJerry, "elaine@elaine", 1, 2, 1'000'000, 0, "<m/>"};
    f.store.AddCarried(std::span(&item, 1));
    CHECK(f.store.CarriedFor(kJerry, 10, 0).size() == 1);
    CHECK(f.store.NewsDue(10).empty());
    CHECK(f.store.MarkCarriedDelivered(kElaine, "ID", 5, "SIG", true));
    CHECK_FALSE(f.store.MarkCarriedDelivered(kElaine, "ID", 6, "OTHER", true));
    CHECK(f.store.Carrying(0).empty()); // not uploaded: the recipient has it
    CHECK(f.store.CarriedFor(kJerry, 10, 0).empty());
    CHECK(f.store.GetCounters().delivered_for_others == 1);
    CHECK(f.store.ExpireCarried(2'000'000) == 0); // kept for the origin
    auto news = f.store.NewsFor(kElaine, 10);
    REQUIRE(news.size() == 1);
    CHECK(news[0].news == store::CarriedNews::Delivered);
    CHECK(news[0].receipt == "SIG");
    CHECK(f.store.NewsFor(kKramer, 10).empty());
    f.store.MarkTold(kElaine, "ID", store::CarriedNews::Delivered);
    CHECK(f.store.NewsDue(10).empty());
    f.store.MarkTold(kElaine, "ID", store::CarriedNews::Uploaded); // never undone
    CHECK(f.store.NewsDue(10).empty());
    CHECK(f.store.CarriedOrigin("ID", kJerry) == kElaine);
    CHECK_FALSE(f.store.CarriedOrigin("ID", kKramer));
}

TEST_CASE("an upload is news for the origin once, then a relayed receipt is")
{
    Fixture f;
    store::CarriedItem item{"ID", kElaine, kJerry, "elaine@elaine", 1, 2, 1'000'000, 0, "<m/>"};
    f.store.AddCarried(std::span(&item, 1));
    f.store.MarkUploaded(kElaine, "ID", 3);
    auto news = f.store.NewsDue(10);
    REQUIRE(news.size() == 1);
    CHECK(news[0].news == store::CarriedNews::Uploaded);
    f.store.MarkTold(kElaine, "ID", store::CarriedNews::Uploaded);
    CHECK(f.store.NewsDue(10).empty());
    CHECK(f.store.MarkCarriedDelivered(kElaine, "ID", 4, "", false));
    news = f.store.NewsDue(10);
    REQUIRE(news.size() == 1);
    CHECK(news[0].news == store::CarriedNews::Delivered);
    CHECK(news[0].receipt.empty());
    CHECK(f.store.GetCounters().delivered_for_others == 0); // the server took it to them
}

TEST_CASE("values kept across starts")
{
    test::TempDir dir{"pigeon-sync"};
    {
        store::Store store{dir.dir / "pigeon.db"};
        CHECK_FALSE(store.SyncValue("archive-last"));
        store.SetSyncValue("archive-last", "a");
        store.SetSyncValue("archive-last", "b");
    }
    store::Store store{dir.dir / "pigeon.db"};
    CHECK(store.SyncValue("archive-last") == "b");
}

TEST_CASE("what a carrier uploaded before schema 5 is not news for its origin")
{
    test::TempDir dir{"pigeon-migrate"};
    const auto file = dir.dir / "pigeon.db";
    {
        store::Store store{file};
        store::CarriedItem item{"ID", kElaine, kJerry, "elaine@elaine", 1, 2, 1'000'000, 0, "<m/>"};
        store.AddCarried(std::span(&item, 1));
        store.MarkUploaded(kElaine, "ID", 3);
    }
    {
        // Back to schema 4, as a store written by an earlier pigeon would be
        // (later schemas' indexes first: they name schema 5's columns).
        sqlite::Database db(file);
        db.Exec(
            // schemas 11's to 7's
            PIGEON_UNDO_HANDOFF_COPIES PIGEON_UNDO_LEAN_CARRIED PIGEON_UNDO_BOX_SIZES
                PIGEON_UNDO_SEALS PIGEON_UNDO_PINS PIGEON_UNDO_SUMMARY PIGEON_UNDO_TOMBSTONE_PATH
                    PIGEON_UNDO_SCHEMA_12
            "DROP TABLE relays; DROP INDEX carried_spray; ALTER TABLE carried DROP COLUMN copies;"
            "ALTER TABLE carried DROP COLUMN path; ALTER TABLE outbox DROP COLUMN copies_given;"
            "DROP TABLE tombstones; DELETE FROM counters WHERE name = 'tombstones_learned';"
            "DROP INDEX outbox_expiry; DROP INDEX carried_expiry;"
            "ALTER TABLE outbox DROP COLUMN expires;"
            "DELETE FROM counters WHERE name IN ('expired', 'expired_carried');"
            "DROP INDEX carried_by_peer; DROP INDEX carried_by_origin;"
            "ALTER TABLE carried DROP COLUMN bytes;"
            "DROP INDEX outbox_listing; DROP INDEX outbox_open; DROP INDEX carried_listing;"
            "DROP INDEX inbox_listing; DROP INDEX carried_news; DROP INDEX carried_by_recipient; "
            "DROP TABLE sync;"
            "ALTER TABLE carried DROP COLUMN delivered; ALTER TABLE carried DROP COLUMN receipt;"
            "ALTER TABLE carried DROP COLUMN told; ALTER TABLE outbox DROP COLUMN custody;"
            "ALTER TABLE outbox DROP COLUMN custody_by; ALTER TABLE outbox DROP COLUMN custody_at;"
            "ALTER TABLE outbox DROP COLUMN receipt;"
            "DELETE FROM counters WHERE name = 'delivered_for_others'; PRAGMA user_version = 4;");
    }
    store::Store store{file};
    CHECK(store.NewsDue(10).empty());
    CHECK(store.Carrying(0).empty());
}

TEST_CASE("the outbox says which way a message was delivered")
{
    Fixture f;
    const auto carried = f.Carried();
    CHECK(f.receiver.TakeReceipt(carried, kJerry, kKramer) == inbox::Delivery::Delivered);
    auto item = f.store.OutboxById(carried);
    CHECK(item->delivered_via == kKramer);
    CHECK(item->delivered_hops == 1);

    const auto sent = f.store.Enqueue(kJerry, "sent myself", 1000, kFarOff).id;
    CHECK(f.store.MarkSent(sent, 1500));
    CHECK(f.receiver.TakeReceipt(sent, kJerry, kKramer) == inbox::Delivery::Delivered);
    item = f.store.OutboxById(sent);
    CHECK(item->delivered_via == "direct"); // we sent it: whatever the receipt says
    CHECK(item->delivered_hops == 0);

    const auto reported = f.Carried();
    f.ElaineKnowsJerry();
    CHECK(f.receiver.TakeReport(f.Report(reported, "delivered", f.JerrySigns(reported)), kElaine,
                                true, 3000) == inbox::Custody::Delivered);
    CHECK(f.store.OutboxById(reported)->delivered_via == kKramer);
}
