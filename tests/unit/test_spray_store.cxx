// Spray-and-wait in the store (issue 11, schema 11): each carried copy keeps
// its budget and path, handing on costs budget only once the next carrier
// stored its copy, and tombstones stop handing on.

#include "sqlite/Database.hxx"
#include "store/Store.hxx"

#include "StoreFixture.hxx"

#include <doctest/doctest.h>

using namespace pigeon;
using namespace pigeon::store;
using pigeon::test::Carried;
using pigeon::test::kFarOff;
using pigeon::test::TempDb;

namespace {

constexpr UnixMs kNow = 3000;

CarriedItem WithBudget(const std::string& id, int copies, const std::string& path)
{
    auto item = Carried("elaine@example.org", id);
    item.payload = "<message id='" + id + "'/>";
    item.copies = copies;
    item.path = path;
    return item;
}

} // namespace

TEST_CASE("a carried copy's budget and path are kept and listed")
{
    TempDb tmp;
    {
        Store store(tmp.File());
        const CarriedItem items[] = {WithBudget("a", 4, "elaine@a\nkramer@b")};
        store.AddCarried(items);
    }
    Store store(tmp.File()); // as after a restart
    const auto carrying = store.Carrying(kNow);
    REQUIRE(carrying.size() == 1);
    CHECK(carrying[0].copies == 4);
    CHECK(carrying[0].path == "elaine@a\nkramer@b");
    const auto page = store.CarryingPage({10, std::nullopt});
    REQUIRE(page.items.size() == 1);
    CHECK(page.items[0].copies == 4);
    CHECK(page.cursors[0].at == 2000);
}

TEST_CASE("only copies with budget are handed on, once per carrier, and cost budget when stored")
{
    TempDb tmp;
    Store store(tmp.File());
    const CarriedItem items[] = {WithBudget("a", 4, "elaine@a"), WithBudget("b", 1, "elaine@a"),
                                 WithBudget("c", 2, "elaine@a")};
    store.AddCarried(items);
    auto candidates = store.ToHandOn("newman@c", 0, 10, kNow);
    REQUIRE(candidates.size() == 2);
    CHECK(candidates[0].item.id == "a");
    CHECK(candidates[1].item.id == "c");
    CHECK(store.ToHandOn("newman@c", candidates[0].row, 10, kNow).size() == 1);
    CHECK(store.ToHandOn("newman@c", 0, 10, 90000).empty()); // expired

    // newman stored a with 2 and already held c: a's budget halves, c's stays.
    const Relayed answer[] = {{candidates[0].row, 2, true}, {candidates[1].row, 1, false}};
    store.RecordRelays("newman@c", answer, kNow);
    CHECK(store.ToHandOn("newman@c", 0, 10, kNow).empty()); // each once per carrier
    candidates = store.ToHandOn("george@d", 0, 10, kNow);
    REQUIRE(candidates.size() == 2);
    CHECK(candidates[0].item.copies == 2);
    CHECK(candidates[1].item.copies == 2);
    // Recorded twice (a repeated answer), it costs once.
    store.RecordRelays("newman@c", answer, kNow);
    CHECK(store.ToHandOn("george@d", 0, 10, kNow)[0].item.copies == 2);
    // Down to one: a is delivered only.
    const Relayed george[] = {{candidates[0].row, 1, true}};
    store.RecordRelays("george@d", george, kNow);
    candidates = store.ToHandOn("frank@e", 0, 10, kNow);
    REQUIRE(candidates.size() == 1);
    CHECK(candidates[0].item.id == "c");
}

TEST_CASE("any tombstone, verified or not, stops handing on; an upload too")
{
    TempDb tmp;
    Store store(tmp.File());
    const CarriedItem items[] = {WithBudget("a", 4, "elaine@a"), WithBudget("b", 4, "elaine@a")};
    store.AddCarried(items);
    store.AddTombstone({"elaine@example.org", "a", "jerry@example.org", kFarOff, "", false}, kNow);
    auto candidates = store.ToHandOn("newman@c", 0, 10, kNow);
    REQUIRE(candidates.size() == 1);
    CHECK(candidates[0].item.id == "b");
    CHECK(store.Carrying(kNow).size() == 2); // unverified: the copies stay for upload
    store.MarkUploaded("elaine@example.org", "b", kNow);
    CHECK(store.ToHandOn("newman@c", 0, 10, kNow).empty());
}

TEST_CASE("the origin's budget leaves with each new handoff, in its transaction")
{
    TempDb tmp;
    Store store(tmp.File());
    const auto m = store.Enqueue("jerry@example.org", "hi", 10, kFarOff);
    const std::string ids[] = {m.id};
    const int four[] = {4};
    CHECK(store.RecordHandoffs("kramer@b", ids, 20, four) == 1);
    CHECK(store.Outbox()[0].copies_given == 4);
    CHECK(store.RecordHandoffs("kramer@b", ids, 30, four) == 0); // held already: nothing more
    CHECK(store.Outbox()[0].copies_given == 4);
    const int two[] = {2};
    store.RecordHandoffs("george@d", ids, 40, two);
    CHECK(store.Outbox()[0].copies_given == 6);
    store.RecordHandoffs("newman@c", ids, 50); // no budgets named: none spent
    CHECK(store.Outbox()[0].copies_given == 6);
}

TEST_CASE("schema 20 keeps the budget given before it and adds each later handoff's")
{
    TempDb tmp;
    const int three[] = {3};
    const std::string id = test::QueueHandedOver(tmp, "hi", 10, "kramer@b", 20, three);
    {
        // As schema 19 kept it: the budget on the message's row.
        sqlite::Database db(tmp.File());
        db.Exec("UPDATE outbox SET copies_given = 3;" PIGEON_UNDO_HANDOFF_COPIES
                "PRAGMA user_version = 19;");
    }
    Store store(tmp.File());
    CHECK(store.Outbox()[0].copies_given == 3);
    const std::string ids[] = {id};
    const int two[] = {2};
    CHECK(store.RecordHandoffs("george@d", ids, 30, two) == 1);
    CHECK(store.Outbox()[0].copies_given == 5);
    CHECK(store.OutboxById(id)->copies_given == 5);
}

TEST_CASE("a copy straight from its origin replaces copies other carriers handed on first")
{
    TempDb tmp;
    Store store(tmp.File());
    auto relayed = WithBudget("a", 2, "elaine@a\nkramer@b");
    relayed.payload = "<message id='a'>sealed for kramer</message>";
    CHECK(store.AddCarried(std::span(&relayed, 1)) == std::vector<bool>{true});
    const auto direct = WithBudget("a", 1, "elaine@a");
    CHECK(store.AddCarried(std::span(&direct, 1)) == std::vector<bool>{true});
    const auto carrying = store.Carrying(kNow);
    REQUIRE(carrying.size() == 1); // one upload, not two
    CHECK(carrying[0].path == "elaine@a");
    CHECK(carrying[0].payload == direct.payload);
}

TEST_CASE("a copy straight from its origin replaces one handed on first with the same bytes")
{
    // A relay passes the bytes on as they are: the usual case.
    TempDb tmp;
    Store store(tmp.File());
    const auto relayed = WithBudget("a", 2, "elaine@a\nkramer@b");
    CHECK(store.AddCarried(std::span(&relayed, 1)) == std::vector<bool>{true});
    const auto direct = WithBudget("a", 1, "elaine@a");
    REQUIRE(direct.payload == relayed.payload);
    CHECK(store.AddCarried(std::span(&direct, 1)) == std::vector<bool>{true});
    const auto carrying = store.Carrying(kNow);
    REQUIRE(carrying.size() == 1);
    CHECK(carrying[0].path == "elaine@a");
    CHECK(carrying[0].copies == 1);
}

TEST_CASE("a copy its giver offers again is the same copy, taken again")
{
    TempDb tmp;
    Store store(tmp.File());
    const CarriedItem items[] = {WithBudget("a", 4, "elaine@a"), WithBudget("b", 4, "elaine@a")};
    store.AddCarried(items);
    // Relayed on in part before the giver's second offer: that share is spent.
    const Relayed george[] = {{store.ToHandOn("george@d", 0, 10, kNow).at(1).row, 2, true}};
    store.RecordRelays("george@d", george, kNow);

    auto again = items[0];
    again.copies = 3;
    auto other_giver = items[0];
    other_giver.from_peer = "newman@c";
    const CarriedItem offers[] = {again, items[1], other_giver, WithBudget("c", 4, "elaine@a")};
    CHECK(store.RetakeCopies(offers) == std::vector<bool>{true, true, false, false});
    const auto held = store.Carrying(0);
    REQUIRE(held.size() == 2); // no second row
    CHECK(held[0].copies == 3);
    CHECK(held[1].copies == 2);
    CHECK(store.GetCounters().carried_for_others == 2);
}
