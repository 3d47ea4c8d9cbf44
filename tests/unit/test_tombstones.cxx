// Delivery tombstones (issue 11): what the store keeps and deletes for them,
// how they cross the link, and which of them are checked.

#include "crypto/Identity.hxx"
#include "inbox/Receiver.hxx"
#include "link/Neighbours.hxx"
#include "link/Summaries.hxx"
#include "link/TombstoneProtocol.hxx"
#include "link/Tombstones.hxx"
#include "store/Store.hxx"
#include "xmpp/Custody.hxx"

#include "StoreFixture.hxx"

#include <doctest/doctest.h>

using namespace pigeon;
using store::Tombstone;
using test::Carried;

namespace {

constexpr const char* kElaine = "elaine@example.org";
constexpr const char* kJerry = "jerry@example.org";

struct Fixture {
    test::TempDb tmp;
    store::Store store{tmp.File()};
    crypto::Identity jerry = crypto::Identity::Generate();

    std::string Receipt(const std::string& id)
    {
        return xmpp::SignReceipt(jerry, kJerry, kElaine, id);
    }
    void KnowJerry() { store.SetKey(kJerry, crypto::ToBase64(jerry.Public()), 1); }
    bool Holds(const std::string& id)
    {
        for (const auto& item : store.Carrying(0))
            if (item.id == id)
                return true;
        return false;
    }
};

} // namespace

TEST_CASE(
    "an unverified tombstone deletes nothing; a verified one deletes the copy we would pass on")
{
    Fixture f;
    const store::CarriedItem items[] = {Carried(kElaine, "m-1"), Carried(kElaine, "m-2")};
    f.store.AddCarried(items);

    auto added = f.store.AddTombstone({kElaine, "m-1", kJerry, 90000, "", false}, 10);
    CHECK(added.news);
    CHECK(added.dropped == 0);
    CHECK(f.Holds("m-1"));
    CHECK_FALSE(f.store.AddTombstone({kElaine, "m-1", kJerry, 90000, "", false}, 11).news);

    added = f.store.AddTombstone({kElaine, "m-1", kJerry, 90000, "SIG", true}, 12);
    CHECK(added.news); // now verified: news again
    CHECK(added.dropped == 1);
    CHECK_FALSE(f.Holds("m-1"));
    CHECK(f.Holds("m-2"));
    CHECK_FALSE(f.store.AddTombstone({kElaine, "m-1", kJerry, 90000, "", false}, 13).news);
    CHECK(f.store.GetCounters().tombstones_learned == 2);
}

TEST_CASE("tombstones are passed on in order, a verified one again, none past its expiry")
{
    Fixture f;
    f.store.AddTombstone({kElaine, "a", kJerry, 5000, "", false}, 1);
    f.store.AddTombstone({kElaine, "b", kJerry, 9000, "", false}, 2);
    auto all = f.store.TombstonesAfter(0, 10, 0);
    REQUIRE(all.size() == 2);
    CHECK(all[0].id == "a");
    CHECK(all[1].id == "b");
    CHECK(f.store.TombstonesAfter(all[1].row, 10, 0).empty());

    f.store.AddTombstone({kElaine, "a", kJerry, 5000, "SIG", true}, 3);
    auto fresh = f.store.TombstonesAfter(all[1].row, 10, 0);
    REQUIRE(fresh.size() == 1);
    CHECK(fresh[0].id == "a");
    CHECK(fresh[0].verified);
    CHECK(fresh[0].receipt == "SIG");

    CHECK(f.store.TombstonesAfter(0, 10, 5000).size() == 1); // a is past its expiry
    CHECK(f.store.NextExpiry() == 5000);
    f.store.Expire(5000);
    CHECK(f.store.TombstonesAfter(0, 10, 0).size() == 1); // and gone
}

TEST_CASE("a carrier's accepted upload is a tombstone on its own word")
{
    Fixture f;
    const store::CarriedItem items[] = {Carried(kElaine, "m-1")};
    f.store.AddCarried(items);
    f.store.MarkUploaded(kElaine, "m-1", 100);
    const auto tombstones = f.store.TombstonesAfter(0, 10, 0);
    REQUIRE(tombstones.size() == 1);
    CHECK(tombstones[0].to == kJerry);
    CHECK(tombstones[0].until == 90000);
    CHECK_FALSE(tombstones[0].verified);
    CHECK(f.store.CarriedExpiry(kElaine, "m-1") == 90000);
}

TEST_CASE("a tombstone counts only with the recipient's signature and its key")
{
    Fixture f;
    Tombstone t{kElaine, "m-1", kJerry, 90000, f.Receipt("m-1")};
    CHECK_FALSE(link::Tombstones::Verify(f.store, t)); // whose key we do not know
    f.KnowJerry();
    CHECK(link::Tombstones::Verify(f.store, t));
    Tombstone other = t;
    other.id = "m-2"; // the signature of another message's receipt
    CHECK_FALSE(link::Tombstones::Verify(f.store, other));
    other = t;
    other.receipt = "";
    CHECK_FALSE(link::Tombstones::Verify(f.store, other));
    other = t;
    other.receipt = f.Receipt("m-1").substr(4) + "AAAA";
    CHECK_FALSE(link::Tombstones::Verify(f.store, other));
}

TEST_CASE("tombstones on the wire: what is malformed or expired is left out")
{
    const Tombstone items[] = {{kElaine, "m-1", kJerry, 90000, "SIG", true},
                               {kElaine, "m-2", kJerry, 90000, "", false}};
    const auto iq = link::MakeTombstones("t-1", items);
    const auto* list = link::FindTombstones(iq);
    REQUIRE(list != nullptr);
    auto parsed = link::ParseTombstones(*list, 1000);
    REQUIRE(parsed.size() == 2);
    CHECK(parsed[0].origin == kElaine);
    CHECK(parsed[0].id == "m-1");
    CHECK(parsed[0].to == kJerry);
    CHECK(parsed[0].until == 90000);
    CHECK(parsed[0].receipt == "SIG");
    CHECK_FALSE(parsed[0].verified); // the receiver checks for itself
    CHECK(parsed[1].receipt.empty());
    CHECK(link::ParseTombstones(*list, 90000).empty());

    auto bad = link::MakeTombstones("t-2", items);
    auto& children = bad.children[0].children;
    children[0].SetAttr("until", "tomorrow");
    children[1].SetAttr("id", "");
    CHECK(link::ParseTombstones(bad.children[0], 1000).empty());

    std::vector<Tombstone> many(link::kTombstonesPerRequest + 5, items[1]);
    CHECK(int(link::ParseTombstones(link::MakeTombstones("t-3", many).children[0], 0).size()) ==
          link::kTombstonesPerRequest);
}

TEST_CASE("a tombstone keeps the way its message went, and says it on the wire")
{
    Fixture f;
    // Our upload was accepted: we count the carriers on the copy's path and us.
    auto item = Carried(kElaine, "m-1");
    item.path = "elaine@a\nkramer@b";
    const store::CarriedItem items[] = {item};
    f.store.AddCarried(items);
    f.store.MarkUploaded(kElaine, "m-1", 5);
    auto all = f.store.TombstonesAfter(0, 10, 0);
    REQUIRE(all.size() == 1);
    CHECK(all[0].via.empty());
    CHECK(all[0].hops == 2);
    // Jerry's receipt names no hops: those counted stay; the carrier is us.
    Tombstone proof{kElaine, "m-1", kJerry, 90000, "SIG", true, 0, "newman@example.org", 0};
    CHECK(f.store.AddTombstone(proof, 6).news);
    all = f.store.TombstonesAfter(0, 10, 0);
    REQUIRE(all.size() == 1);
    CHECK(all[0].via == "newman@example.org");
    CHECK(all[0].hops == 2);
    // Another way, told later by someone else, changes nothing.
    proof.via = "george@example.org";
    proof.hops = 1;
    f.store.AddTombstone(proof, 7);
    CHECK(f.store.TombstonesAfter(0, 10, 0)[0].via == "newman@example.org");

    auto parsed = link::ParseTombstones(*link::FindTombstones(link::MakeTombstones("t-1", all)), 0);
    REQUIRE(parsed.size() == 1);
    CHECK(parsed[0].via == "newman@example.org");
    CHECK(parsed[0].hops == 2);
    auto odd = link::MakeTombstones("t-2", all);
    odd.children[0].children[0].SetAttr("hops", "-3");
    CHECK(link::ParseTombstones(odd.children[0], 0)[0].hops == 0);
    odd.children[0].children[0].SetAttr("hops", "123");
    CHECK(link::ParseTombstones(odd.children[0], 0)[0].hops == 0);
}

TEST_CASE("an origin's tombstones are found by either of its names")
{
    Fixture f;
    f.store.AddTombstone({kElaine, "m-1", kJerry, 90000, "", false}, 1);
    CHECK(f.store.HasTombstoneOf(0, 0, "elaine@a", kElaine));
    CHECK(f.store.HasTombstoneOf(0, 0, kElaine, ""));
    CHECK_FALSE(f.store.HasTombstoneOf(0, 0, "kramer@b", "kramer@example.org"));
    const auto row = f.store.TombstonesAfter(0, 10, 0)[0].row;
    CHECK_FALSE(f.store.HasTombstoneOf(row, 0, "elaine@a", kElaine));   // told already
    CHECK_FALSE(f.store.HasTombstoneOf(0, 90000, "elaine@a", kElaine)); // expired
}

TEST_CASE("a tombstone we cannot check goes to its message's origin at once, proof to everyone")
{
    Fixture f;
    crypto::Identity us = crypto::Identity::Generate();
    inbox::Receiver receiver{f.store, us};
    boost::asio::io_context io;
    link::Summaries summaries{io, f.store, nullptr, [](const std::string&) {}};
    link::Tombstones tombstones{f.store, receiver, nullptr, summaries};
    link::Neighbour elaine;
    elaine.carrier = true;
    elaine.jid = kElaine;
    link::Neighbour kramer;
    kramer.carrier = true;
    kramer.jid = "kramer@example.org";
    CHECK_FALSE(tombstones.HasWork("elaine@a", elaine));
    f.store.AddTombstone({kElaine, "m-1", kJerry, test::kFarOff, f.Receipt("m-1"), false}, 1);
    CHECK(tombstones.HasWork("elaine@a", elaine)); // hers: she may hold Jerry's key
    CHECK_FALSE(tombstones.HasWork("kramer@b", kramer));
    f.store.AddTombstone({kElaine, "m-2", kJerry, test::kFarOff, f.Receipt("m-2"), true}, 2);
    CHECK(tombstones.HasWork("kramer@b", kramer)); // proof: worth a contact to anyone
    elaine.carrier = false;
    CHECK_FALSE(tombstones.HasWork("elaine@a", elaine)); // a chat client hears none
}
