// What a carrier holds for others, as fair storage and the refusal of
// pre-emption see it (issue 12): loads by neighbour and origin, eviction
// order, distinct copies of one message, and the migrations that brought them.

#include "sqlite/Database.hxx"
#include "store/Store.hxx"

#include "StoreFixture.hxx"
#include "TempDir.hxx"

#include <doctest/doctest.h>

#include <map>
#include <span>
#include <string>

using namespace pigeon;
using namespace pigeon::store;

namespace {

// Before any copy's expiry.
constexpr UnixMs kNow = 3000;

std::filesystem::path File(const test::TempDir& tmp)
{
    return tmp.dir / "pigeon.db";
}

CarriedItem Copy(const std::string& origin, const std::string& id,
                 const std::string& peer = "kramer@laptop", UnixMs received = 2000,
                 UnixMs expires = 90000, std::size_t size = 10)
{
    return {id,      origin, "jerry@example.org",   peer, 1000, received,
            expires, 0,      std::string(size, 'x')};
}

// A store holding one copy of elaine's id-1, then `sql` run on it: an older
// pigeon's database, for the migrations.
void OneCopyThen(const test::TempDir& tmp, const char* sql)
{
    {
        Store store(File(tmp));
        const CarriedItem batch[] = {Copy("elaine@example.org", "id-1")};
        store.AddCarried(batch);
    }
    sqlite::Database db(File(tmp));
    db.Exec(sql);
}

} // namespace

TEST_CASE("what each neighbour and origin holds, and the order its copies make room in")
{
    test::TempDir tmp{"pigeon-carried"};
    Store store(File(tmp));
    const CarriedItem batch[] = {
        Copy("elaine@example.org", "e1", "newman@newman", 2000, 9000, 100),
        Copy("elaine@example.org", "e2", "newman@newman", 1000, 9000, 200),
        Copy("george@example.org", "g1", "newman@newman", 3000, 8000, 300),
        Copy("george@example.org", "g2", "george@george", 3000, 7000, 400)};
    store.AddCarried(batch);
    store.MarkUploaded("george@example.org", "g2", 5000); // no longer counts
    CHECK(store.CarriedByPeer() == std::map<std::string, CarriedLoad>{{"newman@newman", {3, 600}}});
    CHECK(store.CarriedFromOrigin("elaine@example.org") == CarriedLoad{2, 300});
    CHECK(store.CarriedFromOrigin("babu@example.org") == CarriedLoad{});

    // Nearest expiry first, then the oldest received; paged by `skip`.
    const auto first = store.EvictionOrder("newman@newman", 2, 0);
    REQUIRE(first.size() == 2);
    CHECK(first[0].origin_id == "g1");
    CHECK(first[0].bytes == 300);
    CHECK(first[1].origin_id == "e2");
    const auto rest = store.EvictionOrder("newman@newman", 2, 2);
    REQUIRE(rest.size() == 1);
    CHECK(rest[0].origin_id == "e1");

    // Evicted and stored in one go.
    const CarriedItem elaine[] = {
        Copy("elaine@example.org", "e3", "elaine@elaine", 4000, 9000, 50)};
    const std::int64_t evict[] = {first[0].row, first[1].row};
    CHECK(store.AddCarried(elaine, evict) == std::vector<bool>{true});
    CHECK(store.CarriedByPeer() == std::map<std::string, CarriedLoad>{{"elaine@elaine", {1, 50}},
                                                                      {"newman@newman", {1, 100}}});
}

namespace {

// What each neighbour has us carry, counted from the copies themselves.
std::map<std::string, CarriedLoad> CountedByPeer(const test::TempDir& tmp)
{
    sqlite::Database db(File(tmp));
    auto s = db.Prepare("SELECT from_peer, count(*), sum(bytes) FROM carried WHERE "
                        "uploaded IS NULL AND delivered IS NULL GROUP BY from_peer");
    std::map<std::string, CarriedLoad> counted;
    while (s.Step())
        counted[s.Text(0)] = {s.Int(1), s.Int(2)};
    return counted;
}

} // namespace

TEST_CASE("the loads kept by triggers follow every way a copy comes and goes")
{
    test::TempDir tmp{"pigeon-carried"};
    Store store(File(tmp));
    const auto same = [&](const char* step) {
        INFO(step);
        CHECK(store.CarriedByPeer() == CountedByPeer(tmp));
    };
    const CarriedItem batch[] = {
        Copy("elaine@example.org", "e1", "newman@newman", 2000, 9000, 100),
        Copy("elaine@example.org", "e2", "newman@newman", 1000, 5000, 200),
        Copy("george@example.org", "g1", "kramer@laptop", 3000, 8000, 300),
        Copy("george@example.org", "g2", "kramer@laptop", 3000, 7000, 400)};
    store.AddCarried(batch);
    same("stored");
    CHECK(store.CarriedFromOrigin("george@example.org") == CarriedLoad{2, 700});
    store.AddCarried(std::span(batch, 1));
    same("a duplicate changes nothing");
    store.MarkUploaded("george@example.org", "g2", 4000);
    same("uploaded");
    CHECK(store.CarriedFromOrigin("george@example.org") == CarriedLoad{1, 300});
    CHECK(store.ExpireCarried(6000) == 1);
    same("expired");
    const auto order = store.EvictionOrder("newman@newman", 1, 0);
    REQUIRE(order.size() == 1);
    const CarriedItem more[] = {Copy("babu@example.org", "b1", "babu@babu", 6000, 9000, 50)};
    const std::int64_t evict[] = {order[0].row};
    store.AddCarried(more, evict);
    same("evicted");
    CHECK(store.CarriedByPeer() ==
          std::map<std::string, CarriedLoad>{{"babu@babu", {1, 50}}, {"kramer@laptop", {1, 300}}});
    CHECK(store.CarriedFromOrigin("elaine@example.org") == CarriedLoad{});
}

TEST_CASE("schema 9 measures the copies carried before it")
{
    test::TempDir tmp{"pigeon-carried"};
    OneCopyThen(
        tmp,
        PIGEON_UNDO_HANDOFF_COPIES PIGEON_UNDO_LEAN_CARRIED PIGEON_UNDO_BOX_SIZES PIGEON_UNDO_SEALS
            PIGEON_UNDO_PINS PIGEON_UNDO_SUMMARY PIGEON_UNDO_TOMBSTONE_PATH PIGEON_UNDO_SCHEMA_12
        "DROP TABLE relays; DROP INDEX carried_spray; ALTER TABLE carried DROP COLUMN "
        "copies; ALTER TABLE carried DROP COLUMN path;"
        "ALTER TABLE outbox DROP COLUMN copies_given;"
        "DROP INDEX carried_by_peer; DROP INDEX carried_by_origin;"
        "ALTER TABLE carried DROP COLUMN bytes; PRAGMA user_version = 8;");
    Store store(File(tmp));
    CHECK(store.CarriedByPeer() == std::map<std::string, CarriedLoad>{{"kramer@laptop", {1, 10}}});
}

TEST_CASE("distinct copies of one message are kept apart; the same bytes are a duplicate")
{
    test::TempDir tmp{"pigeon-carried"};
    Store store(File(tmp));
    auto forged = Copy("elaine@example.org", "id-1");
    forged.payload = "<forwarded>forged</forwarded>";
    auto genuine = forged;
    genuine.payload = "<forwarded>genuine</forwarded>";
    CHECK(store.AddCarried(std::span(&forged, 1)) == std::vector<bool>{true});
    CHECK(store.AddCarried(std::span(&genuine, 1)) == std::vector<bool>{true});
    CHECK(store.AddCarried(std::span(&genuine, 1)) == std::vector<bool>{false});
    const auto held = store.Carrying(kNow);
    REQUIRE(held.size() == 2);
    CHECK(held[0].digest != held[1].digest);
    // Each copy goes up on its own.
    store.MarkUploaded("elaine@example.org", "id-1", 5000, held[0].digest);
    REQUIRE(store.Carrying(kNow).size() == 1);
    CHECK(store.Carrying(kNow)[0].payload == held[1].payload);
}

TEST_CASE("a copy stored before schema 10 is the same copy only with the same bytes")
{
    test::TempDir tmp{"pigeon-carried"};
    OneCopyThen(tmp, "UPDATE carried SET digest = ''"); // as migration 10 leaves old rows
    Store store(File(tmp));
    auto same = Copy("elaine@example.org", "id-1");
    auto other = same;
    other.payload = "<message>other</message>";
    CHECK(store.AddCarried(std::span(&same, 1)) == std::vector<bool>{false});
    CHECK(store.AddCarried(std::span(&other, 1)) == std::vector<bool>{true});
    CHECK(store.Carrying(kNow).size() == 2);
}

TEST_CASE("show finds a message we hold two copies of, by its id, as one message")
{
    test::TempDir tmp{"pigeon-carried"};
    Store store(File(tmp));
    // Two copies of one message with different bytes (resealed, or relayed
    // by another carrier), and another message whose id ends alike.
    auto older = Copy("elaine@example.org", "5b3f0c2e-aaaa", "kramer@laptop", 2000);
    auto newer = Copy("elaine@example.org", "5b3f0c2e-aaaa", "newman@newman", 2500);
    newer.payload = "other bytes";
    const CarriedItem batch[] = {older, newer, Copy("george@example.org", "77777777-aaaa")};
    REQUIRE(store.AddCarried(batch) == std::vector<bool>{true, true, true});

    const auto found = store.Find("5b3f0c2e-aaaa");
    REQUIRE(found.carried);
    CHECK(found.carried->id == "5b3f0c2e-aaaa");
    CHECK(found.carried->from_peer == "newman@newman"); // the newest copy
    CHECK(store.Find("5b3f").carried->id == "5b3f0c2e-aaaa");
    // Two messages, not two copies: still ambiguous.
    CHECK_THROWS_WITH_AS(store.Find("aaaa"), doctest::Contains("ambiguous"), StoreError);
}

TEST_CASE("schema 19 keeps every copy, its relays and the loads; a receipt finds its copy by id")
{
    test::TempDir tmp{"pigeon-carried"};
    const auto handed_on = [](Store& store) {
        std::vector<std::string> ids;
        for (const auto& candidate : store.ToHandOn("newman@newman", 0, 10, kNow))
            ids.push_back(candidate.item.id);
        return ids;
    };
    {
        Store store(File(tmp));
        auto elaine = Copy("elaine@example.org", "e1");
        auto george = Copy("george@example.org", "g1", "kramer@laptop", 2000, 90000, 20);
        elaine.copies = george.copies = 4;
        const CarriedItem batch[] = {elaine, george};
        store.AddCarried(batch);
        const auto candidates = store.ToHandOn("newman@newman", 0, 10, kNow);
        REQUIRE(candidates.size() == 2);
        const Relayed relayed[] = {{candidates[0].row, 2, true}};
        store.RecordRelays("newman@newman", relayed, kNow);
        CHECK(handed_on(store) == std::vector<std::string>{"g1"});
    }
    {
        sqlite::Database db(File(tmp));
        // Migration 19 runs again: the table is rebuilt (and 20 after it).
        db.Exec(PIGEON_UNDO_HANDOFF_COPIES "PRAGMA user_version = 18");
    }
    Store store(File(tmp));
    CHECK(handed_on(store) == std::vector<std::string>{"g1"}); // the relay to newman is kept
    CHECK(store.CarriedByPeer() == std::map<std::string, CarriedLoad>{{"kramer@laptop", {2, 30}}});
    CHECK(store.CarriedOrigin("g1", "jerry@example.org") == "george@example.org");
    CHECK_FALSE(store.CarriedOrigin("g1", "newman@example.org"));
    store.MarkUploaded("george@example.org", "g1", 5000); // the load triggers are back
    CHECK(store.CarriedByPeer() == std::map<std::string, CarriedLoad>{{"kramer@laptop", {1, 10}}});
}
