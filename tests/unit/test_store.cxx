#include "sqlite/Database.hxx"
#include "store/Schema.hxx"
#include "store/Store.hxx"

#include "StoreFixture.hxx"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

using namespace pigeon;
using namespace pigeon::store;

using test::Carried;
using test::kFarOff;
using test::TempDb;

TEST_CASE("outbox keeps what was queued across a reopen")
{
    TempDb tmp;
    std::string id;
    {
        Store store(tmp.File());
        auto item = store.Enqueue("jerry@example.org", "running late", 1'700'000'000'123, kFarOff);
        id = item.id;
        CHECK(id.size() == 36);
        CHECK(item.state == OutboxState::Queued);
    }
    Store store(tmp.File());
    auto outbox = store.Outbox();
    REQUIRE(outbox.size() == 1);
    CHECK(outbox[0].id == id);
    CHECK(outbox[0].to == "jerry@example.org");
    CHECK(outbox[0].body == "running late");
    CHECK(outbox[0].created == 1'700'000'000'123);
    CHECK(outbox[0].carriers.empty());
    CHECK(store.GetQueueSizes().outbox_pending == 1);
}

TEST_CASE("origin-ids are unique")
{
    TempDb tmp;
    Store store(tmp.File());
    auto a = store.Enqueue("a@example.org", "one", 1, kFarOff);
    auto b = store.Enqueue("a@example.org", "one", 1, kFarOff);
    CHECK(a.id != b.id);
}

TEST_CASE("handoffs are recorded once per carrier and counted")
{
    TempDb tmp;
    Store store(tmp.File());
    auto m = store.Enqueue("jerry@example.org", "hi", 10, kFarOff);
    const std::string ids[] = {m.id, "not-ours"};
    CHECK(store.RecordHandoffs("kramer@laptop", ids, 20) == 1);
    CHECK(store.RecordHandoffs("kramer@laptop", ids, 30) == 0);
    CHECK(store.RecordHandoffs("george@phone", ids, 40) == 1);
    auto outbox = store.Outbox();
    REQUIRE(outbox[0].carriers.size() == 2);
    CHECK(outbox[0].carriers[0].carrier == "kramer@laptop");
    CHECK(outbox[0].carriers[0].handed == 20);
    CHECK(store.GetCounters().handed_to_carriers == 2);
}

TEST_CASE("pending work for a carrier respects K and what it already holds")
{
    TempDb tmp;
    Store store(tmp.File());
    auto a = store.Enqueue("jerry@example.org", "a", 1, kFarOff);
    auto b = store.Enqueue("newman@example.org", "b", 2, kFarOff);
    auto c = store.Enqueue("jerry@example.org", "c", 3, kFarOff);
    store.MarkSent(c.id, 4); // went to the server directly: no carrier needed

    const std::string first[] = {a.id};
    store.RecordHandoffs("one@x", first, 5);
    store.RecordHandoffs("two@x", first, 5);

    auto pending = store.PendingForCarrier("one@x", 2, 100, 0);
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].id == b.id);
    pending = store.PendingForCarrier("three@x", 2, 100, 0); // a has its two carriers
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].id == b.id);
    CHECK(store.PendingForCarrier("three@x", 3, 100, 0).size() == 2);
    CHECK(store.PendingForCarrier("three@x", 3, 1, 0).size() == 1);
    // A walk through the queue goes on after where it got to.
    const auto page = store.PendingForCarrier("three@x", 3, 1, 0);
    const auto rest = store.PendingForCarrier("three@x", 3, 100, 0, {page[0].created, page[0].id});
    REQUIRE(rest.size() == 1);
    CHECK(rest[0].id == b.id);
    CHECK(store.PendingForCarrier("three@x", 3, 100, 0, {rest[0].created, rest[0].id}).empty());

    auto direct = store.PendingForRecipient("jerry@example.org", 0);
    REQUIRE(direct.size() == 1);
    CHECK(direct[0].id == a.id);
}

TEST_CASE("outbox state moves queued -> sent -> delivered, once")
{
    TempDb tmp;
    Store store(tmp.File());
    auto m = store.Enqueue("jerry@example.org", "hi", 10, kFarOff);
    store.MarkSent(m.id, 11);
    store.MarkSent(m.id, 12);
    CHECK(store.Outbox()[0].state == OutboxState::Sent);
    CHECK(store.Outbox()[0].sent == 11);
    CHECK(store.MarkDelivered(m.id, 13, true));
    CHECK_FALSE(store.MarkDelivered(m.id, 14, true));
    CHECK(store.Outbox()[0].state == OutboxState::Delivered);
    CHECK(store.Outbox()[0].delivered == 13);
    auto counters = store.GetCounters();
    CHECK(counters.sent_direct == 1);
    CHECK(counters.delivered_by_carriers == 1);
    CHECK(store.GetQueueSizes().outbox_pending == 0);
}

TEST_CASE("the same carried message is stored once")
{
    TempDb tmp;
    Store store(tmp.File());
    const CarriedItem batch[] = {
        Carried("elaine@example.org", "id-1"), Carried("elaine@example.org", "id-2"),
        Carried("elaine@example.org", "id-1"), Carried("newman@example.org", "id-1")};
    auto added = store.AddCarried(batch);
    CHECK(added == std::vector<bool>{true, true, false, true});
    CHECK(store.Carrying(0).size() == 3);
    CHECK(store.GetCounters().carried_for_others == 3);

    store.MarkUploaded("elaine@example.org", "id-1", 5000);
    CHECK(store.Carrying(0).size() == 2);
    CHECK(store.GetCounters().uploaded_for_others == 1);
    // Expiry drops what was not uploaded in time, and only that.
    CHECK(store.ExpireCarried(89999) == 0);
    CHECK(store.ExpireCarried(90000) == 2);
    CHECK(store.Carrying(0).empty());
    CHECK(store.GetCounters().expired_carried == 2);
    // The uploaded one keeps its row for its origin's news, not its payload
    // (issue 11).
    CHECK(store.Find("id-1").carried->payload.empty());
    CHECK(store.NewsDue(10).size() == 1);
    // Nothing left to drop but the upload's tombstone (schema 8), until the
    // message's expiry; then nothing at all.
    CHECK(store.NextExpiry() == 90000);
    store.Expire(90000);
    CHECK_FALSE(store.NextExpiry().has_value());
}

TEST_CASE("the inbox keeps one copy per sender and origin-id")
{
    TempDb tmp;
    Store store(tmp.File());
    InboxItem item{"id-1", "elaine@example.org", "running late", 100, 200, "kramer@example.org"};
    CHECK(store.AddReceived(item));
    item.via = "direct";
    CHECK_FALSE(store.AddReceived(item));
    item.from = "newman@example.org";
    CHECK(store.AddReceived(item));
    auto inbox = store.Inbox();
    REQUIRE(inbox.size() == 2);
    CHECK(inbox[0].via == "kramer@example.org");
    CHECK(inbox[0].sent == 100);
}

TEST_CASE("find takes a unique beginning or end of an id across boxes")
{
    TempDb tmp;
    Store store(tmp.File());
    auto m = store.Enqueue("jerry@example.org", "hello", 1, kFarOff);
    auto found = store.Find(m.id.substr(0, 8));
    REQUIRE(found.outbox);
    CHECK(found.outbox->id == m.id);
    CHECK_FALSE(found.inbox);
    // The end lists show (ids made within a minute begin alike).
    auto other = store.Enqueue("jerry@example.org", "hello again", 1, kFarOff);
    REQUIRE(store.Find(m.id.substr(m.id.size() - 8)).outbox);
    CHECK(store.Find(m.id.substr(m.id.size() - 8)).outbox->id == m.id);
    CHECK(store.Find(other.id.substr(other.id.size() - 8)).outbox->id == other.id);
    CHECK(store.Find(m.id).outbox->id == m.id);
    CHECK_THROWS_AS(store.Find("abc"), StoreError);
    CHECK_THROWS_AS(store.Find("zzzzzzzz"), StoreError);

    store.AddReceived({"abcd-1", "a@example.org", "x", 1, 1, "direct"});
    store.AddReceived({"abcd-2", "b@example.org", "y", 1, 1, "direct"});
    CHECK_THROWS_WITH_AS(store.Find("abcd"), doctest::Contains("ambiguous"), StoreError);
    CHECK(store.Find("abcd-2").inbox->from == "b@example.org");
    store.AddReceived({"1-wxyz", "c@example.org", "z", 1, 1, "direct"});
    store.AddReceived({"2-wxyz", "d@example.org", "z", 1, 1, "direct"});
    CHECK_THROWS_WITH_AS(store.Find("wxyz"), doctest::Contains("ambiguous"), StoreError);
    CHECK(store.Find("1-wxyz").inbox->from == "c@example.org");
}

TEST_CASE("full-text search covers outbox and inbox, not carried payloads")
{
    TempDb tmp;
    Store store(tmp.File());
    store.Enqueue("jerry@example.org", "Running late, the subway stopped", 1, kFarOff);
    store.AddReceived({"r1", "elaine@example.org", "Café at noon?", 5, 6, "direct"});
    const CarriedItem carried[] = {Carried("x@example.org", "c1")};
    store.AddCarried(carried); // its payload mentions "message", which must not be found

    auto hits = store.Search("subway");
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].box == "outbox");
    CHECK(hits[0].peer == "jerry@example.org");
    CHECK(hits[0].snippet.find("[subway]") != std::string::npos);

    hits = store.Search("cafe"); // diacritics folded
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].box == "inbox");
    CHECK(hits[0].id == "r1");

    CHECK(store.Search("message").empty());
    CHECK(store.Search("late subway").size() == 1);
    CHECK(store.Search("late noon").empty());
    // Operators and quotes are searched for, not obeyed.
    CHECK_NOTHROW(store.Search("\"unbalanced AND ( NEAR *"));
    CHECK_THROWS_AS(store.Search("   "), StoreError);
}

TEST_CASE("neighbours and the handshake log")
{
    TempDb tmp;
    Store store(tmp.File());
    store.NoteNeighbour({"kramer@laptop", "", true, "169.254.1.2", 10, 10});
    store.NoteNeighbour({"kramer@laptop", "kramer@example.org", true, "169.254.1.3", 0, 20});
    auto neighbours = store.Neighbours();
    REQUIRE(neighbours.size() == 1);
    CHECK(neighbours[0].first_seen == 10);
    CHECK(neighbours[0].last_seen == 20);
    CHECK(neighbours[0].jid == "kramer@example.org");

    for (int i = 0; i < 5; ++i)
        store.LogHandshake({i, "kramer@laptop", "open", std::to_string(i)});
    auto log = store.HandshakeLog(3);
    REQUIRE(log.size() == 3);
    CHECK(log.front().detail == "2");
    CHECK(log.back().detail == "4");
}

TEST_CASE("contacts: the roster replaces synced ones, local additions stay")
{
    TempDb tmp;
    Store store(tmp.File());
    store.AddContact("jerry@example.org", "Jerry");
    CHECK(store.IsContact("jerry@example.org"));
    CHECK_FALSE(store.Contacts()[0].synced);

    const Contact roster[] = {{"kramer@example.org", "Kramer", "both", true},
                              {"elaine@example.org", "", "to", true}};
    store.ReplaceRoster(roster);
    CHECK(store.Contacts().size() == 3); // jerry is not on the server yet, and stays
    store.MarkContactSynced("jerry@example.org");
    const Contact smaller[] = {{"kramer@example.org", "K", "both", true}};
    store.ReplaceRoster(smaller);
    const auto contacts = store.Contacts();
    REQUIRE(contacts.size() == 1);
    CHECK(contacts[0].jid == "kramer@example.org");
    CHECK(contacts[0].name == "K");
    CHECK_FALSE(store.IsContact("elaine@example.org"));
}

TEST_CASE("a database from a newer pigeon is refused")
{
    TempDb tmp;
    {
        Store store(tmp.File());
    }
    {
        sqlite::Database db(tmp.File());
        db.Exec(("PRAGMA user_version = " + std::to_string(LatestSchemaVersion() + 1)).c_str());
    }
    CHECK_THROWS_WITH_AS(Store(tmp.File()), doctest::Contains("newer pigeon"), StoreError);
}

TEST_CASE("the store runs in WAL mode with full sync")
{
    TempDb tmp;
    Store store(tmp.File());
    sqlite::Database db(tmp.File());
    auto mode = db.Prepare("PRAGMA journal_mode");
    REQUIRE(mode.Step());
    CHECK(mode.Text(0) == "wal");
}

TEST_CASE("a write with no room left is told apart from other failures")
{
    TempDb tmp;
    sqlite::Database db(tmp.File());
    db.Exec("CREATE TABLE t (x BLOB NOT NULL)");
    const auto pages = [&db] {
        auto count = db.Prepare("PRAGMA page_count");
        REQUIRE(count.Step());
        return count.Int(0);
    }();
    // What the disk would do, full: no more pages than there are now.
    db.Exec(("PRAGMA max_page_count = " + std::to_string(pages)).c_str());
    auto insert = db.Prepare("INSERT INTO t (x) VALUES (?)");
    const std::string big(64 * 1024, 'x');
    std::error_code full;
    try {
        sqlite::ScopedReset reset(insert);
        insert.Bind(big);
        insert.Run();
    } catch (const std::system_error& e) {
        full = e.code();
    }
    CHECK(sqlite::IsOutOfSpace(full));
    std::error_code other;
    try {
        db.Exec("INSERT INTO t (x) VALUES (NULL)");
    } catch (const std::system_error& e) {
        other = e.code();
    }
    CHECK(other);
    CHECK_FALSE(sqlite::IsOutOfSpace(other));
    CHECK_FALSE(sqlite::IsOutOfSpace(std::make_error_code(std::errc::no_space_on_device)));
    // Room again: the same write goes through.
    db.Exec("PRAGMA max_page_count = 1000000");
    sqlite::ScopedReset reset(insert);
    insert.Bind(big);
    CHECK_NOTHROW(insert.Run());
}

TEST_CASE("an unverified message waits with each distinct copy until settled")
{
    TempDb tmp;
    Store store(tmp.File());
    InboxItem first{"id-1", "elaine@example.org", "running late",          100,
                    200,    "kramer@example.org", Authenticity::Unverified};
    CHECK(store.AddUnverified(first,
                              {"id-1", "kramer@example.org", "<forwarded>a</forwarded>", 200}));
    auto second = first;
    second.body = "running early";
    CHECK_FALSE(store.AddUnverified(
        second, {"id-1", "george@example.org", "<forwarded>b</forwarded>", 300}));
    CHECK_FALSE( // the same copy again is not kept twice
        store.AddUnverified(first,
                            {"id-1", "kramer@example.org", "<forwarded>a</forwarded>", 400}));
    CHECK(store.UnverifiedSenders() == std::vector<std::string>{"elaine@example.org"});
    CHECK(store.UnverifiedFrom("elaine@example.org").size() == 2);
    CHECK(store.ReceivedAuthenticity("elaine@example.org", "id-1") == Authenticity::Unverified);

    // George's copy is the genuine one: the inbox takes it, the copies go.
    InboxItem genuine = second;
    genuine.via = "george@example.org";
    genuine.authenticity = Authenticity::Signed;
    store.Settle("elaine@example.org", "id-1", &genuine, 1);
    REQUIRE(store.Inbox().size() == 1);
    CHECK(store.Inbox()[0].body == "running early");
    CHECK(store.Inbox()[0].authenticity == Authenticity::Signed);
    CHECK(store.UnverifiedSenders().empty());
    CHECK(store.GetCounters().forged_refused == 1);
    CHECK(store.Search("early").size() == 1); // the text index follows the settled body
    CHECK(store.Search("late").empty());
    // Settled messages are not undone by a later "forged" verdict.
    store.Settle("elaine@example.org", "id-1", nullptr, 1);
    CHECK(store.Inbox().size() == 1);
}

TEST_CASE("an unverified message with no genuine copy leaves the inbox")
{
    TempDb tmp;
    Store store(tmp.File());
    InboxItem item{"id-2",
                   "elaine@example.org",
                   "send money",
                   100,
                   200,
                   "kramer@example.org",
                   Authenticity::Unverified};
    store.AddUnverified(item, {"id-2", "kramer@example.org", "<forwarded/>", 200});
    store.Settle("elaine@example.org", "id-2", nullptr, 1);
    CHECK(store.Inbox().empty());
    CHECK(store.Search("money").empty());
    CHECK(store.GetCounters().forged_refused == 1);
}

TEST_CASE("keys are remembered per bare JID and replaced when they change")
{
    TempDb tmp;
    Store store(tmp.File());
    CHECK_FALSE(store.Key("elaine@example.org"));
    store.SetKey("elaine@example.org", "AAAA", 1);
    store.SetKey("elaine@example.org", "BBBB", 2);
    CHECK(store.Key("elaine@example.org") == "BBBB");
    store.AddContact("elaine@example.org", "Elaine");
    store.AddContact("newman@example.org", "");
    const auto contacts = store.Contacts();
    REQUIRE(contacts.size() == 2);
    CHECK(contacts[0].key == "BBBB");
    CHECK(contacts[1].key.empty());
}

TEST_CASE("who vouches for a message survives the database")
{
    TempDb tmp;
    Store store(tmp.File());
    const Authenticity all[] = {Authenticity::Server, Authenticity::LinkLocal, Authenticity::Signed,
                                Authenticity::Unverified};
    for (const auto authenticity : all) {
        const std::string id = std::string("id-") + ToString(authenticity);
        store.AddReceived({id, "elaine@example.org", "hello", 1, 2, "direct", authenticity});
        CHECK(store.ReceivedAuthenticity("elaine@example.org", id) == authenticity);
    }
    CHECK(std::string(ToString(Authenticity::LinkLocal)) == "link-local");
    CHECK(store.Inbox().size() == 4);
}

TEST_CASE("listings come a page at a time, newest rows, walked back by cursor")
{
    TempDb tmp;
    Store store(tmp.File());
    for (int i = 0; i < 5; ++i)
        store.Enqueue("jerry@example.org", "message " + std::to_string(i), 1000 + i / 2, kFarOff);

    const auto newest = store.OutboxPage({2, std::nullopt});
    CHECK(newest.total == 5);
    CHECK(newest.older);
    REQUIRE(newest.items.size() == 2);
    CHECK(newest.items[0].body == "message 3"); // oldest first within the page
    CHECK(newest.items[1].body == "message 4");
    REQUIRE(newest.cursors.size() == 2);

    // Rows of the same millisecond (3 and 2) stay apart by their row.
    const auto middle = store.OutboxPage({2, newest.cursors.front()});
    REQUIRE(middle.items.size() == 2);
    CHECK(middle.items[0].body == "message 1");
    CHECK(middle.items[1].body == "message 2");
    CHECK(middle.older);

    const auto last = store.OutboxPage({2, middle.cursors.front()});
    REQUIRE(last.items.size() == 1);
    CHECK(last.items[0].body == "message 0");
    CHECK_FALSE(last.older);
    CHECK(last.total == 5);

    CHECK(store.Outbox().size() == 5); // the whole list, oldest first
    CHECK(store.Outbox().front().body == "message 0");
}

TEST_CASE("the carrying page leaves payloads out; the inbox pages too")
{
    TempDb tmp;
    Store store(tmp.File());
    const CarriedItem items[] = {Carried("elaine@example.org", "a1"),
                                 Carried("elaine@example.org", "a2")};
    store.AddCarried(items);
    const auto carrying = store.CarryingPage({10, std::nullopt});
    REQUIRE(carrying.items.size() == 2);
    CHECK(carrying.total == 2);
    CHECK_FALSE(carrying.older);
    CHECK(carrying.items[0].payload.empty());
    CHECK(store.Carrying(0)[0].payload == "<message/>"); // the uploader still reads them

    for (int i = 0; i < 3; ++i)
        store.AddReceived({"id-" + std::to_string(i), "elaine@example.org", "hi", 10, 20 + i,
                           "direct", Authenticity::Server});
    const auto inbox = store.InboxPage({1, std::nullopt});
    REQUIRE(inbox.items.size() == 1);
    CHECK(inbox.items[0].id == "id-2");
    CHECK(inbox.total == 3);
    CHECK(inbox.older);
}
