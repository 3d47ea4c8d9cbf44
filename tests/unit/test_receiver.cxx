// The one way into the inbox (inbox::Receiver) on a real store: what it
// keeps, settles, holds or refuses, and when a receipt is due.

#include "CarriedCopy.hxx"
#include "TempDir.hxx"
#include "inbox/Receiver.hxx"
#include "store/Store.hxx"

#include <doctest/doctest.h>

using namespace pigeon;
using inbox::Outcome;
using store::Authenticity;
using test::CarriedCopy;

namespace {

// An expiry that no test reaches.
constexpr UnixMs kFarOff = 4'000'000'000'000;

struct Fixture {
    test::TempDir dir{"pigeon-receiver"};
    store::Store store{dir.dir / "pigeon.db"};
    crypto::Identity elaine = crypto::Identity::Generate();
    crypto::Identity jerry = crypto::Identity::Generate();
    inbox::Receiver receiver{store, jerry};

    inbox::Received Carried(const CarriedCopy& copy, const std::string& via,
                            const crypto::PublicKey* key)
    {
        return receiver.TakeCarried(copy.forwarded, copy.Original(), via, key, false);
    }
};

xmpp::ChatMessage Chat(std::string body)
{
    auto m = test::SampleMessage();
    m.body = std::move(body);
    m.sent = 0; // sent just now: no delay
    return m;
}

} // namespace

TEST_CASE("a chat message is kept once; a receipt is due when it has an id")
{
    Fixture f;
    const auto first =
        f.receiver.TakeChat(Chat("hello"), "elaine@example.org", Authenticity::Server);
    CHECK(first.outcome == Outcome::Fresh);
    CHECK(first.receipt_due);
    CHECK(first.item.via == "direct");
    CHECK(first.item.sent == first.item.received); // no delay: sent on arrival
    const auto again =
        f.receiver.TakeChat(Chat("hello"), "elaine@example.org", Authenticity::Server);
    CHECK(again.outcome == Outcome::Duplicate);
    CHECK(again.receipt_due); // the first receipt may have been lost

    auto no_id = Chat("hi");
    no_id.id.clear();
    const auto neighbour = f.receiver.TakeChat(no_id, "elaine@laptop", Authenticity::LinkLocal);
    CHECK(neighbour.outcome == Outcome::Fresh);
    CHECK_FALSE(neighbour.item.id.empty());
    CHECK_FALSE(neighbour.receipt_due); // nothing to name in it
    CHECK(neighbour.item.via == "link-local");
    CHECK(f.store.Inbox().size() == 2);
    CHECK_THROWS_AS(f.receiver.TakeChat(no_id, "elaine@laptop", Authenticity::Signed),
                    std::invalid_argument);
}

TEST_CASE("our server's copy settles a carried one held as unverified; a neighbour's does not")
{
    Fixture f;
    const CarriedCopy copy(test::SampleMessage(), &f.elaine);
    const auto held = f.Carried(copy, "kramer@example.org", nullptr);
    CHECK(held.outcome == Outcome::Held);
    CHECK_FALSE(held.receipt_due); // not before it is known to be hers
    CHECK(f.store.Inbox()[0].authenticity == Authenticity::Unverified);

    const auto m = test::SampleMessage();
    CHECK(f.receiver.TakeChat(m, "elaine@example.org", Authenticity::LinkLocal).outcome ==
          Outcome::Duplicate);
    CHECK(f.store.Inbox()[0].authenticity == Authenticity::Unverified);
    const auto direct = f.receiver.TakeChat(m, "elaine@example.org", Authenticity::Server);
    CHECK(direct.outcome == Outcome::Settled);
    CHECK(direct.IsNew());
    CHECK(f.store.Inbox()[0].authenticity == Authenticity::Server);
    CHECK(f.store.UnverifiedSenders().empty());
}

TEST_CASE("a held message settles once its origin's key is known")
{
    Fixture f;
    const auto m = test::SampleMessage();
    const CarriedCopy tampered(m, &f.elaine, nullptr, "running early");
    const CarriedCopy genuine(m, &f.elaine);
    CHECK(f.Carried(tampered, "kramer@example.org", nullptr).outcome == Outcome::Held);
    const auto second = f.Carried(genuine, "george@example.org", nullptr);
    CHECK(second.outcome == Outcome::HeldAgain);
    CHECK_FALSE(second.IsNew());
    CHECK(f.store.Inbox()[0].body == "running early"); // the first copy shows meanwhile

    const auto settled = f.receiver.Settle("elaine@example.org", f.elaine.Public());
    REQUIRE(settled.size() == 1);
    CHECK(settled[0].outcome == Outcome::Settled);
    CHECK(settled[0].receipt_due);
    CHECK(settled[0].item.via == "george@example.org");
    const auto inbox = f.store.Inbox();
    REQUIRE(inbox.size() == 1);
    CHECK(inbox[0].body == "running late");
    CHECK(inbox[0].authenticity == Authenticity::Signed);
    CHECK(f.store.GetCounters().forged_refused == 1);
    CHECK(f.receiver.Settle("elaine@example.org", f.elaine.Public()).empty()); // nothing waits
}

TEST_CASE("a held message none of whose copies is genuine is dropped")
{
    Fixture f;
    const CarriedCopy tampered(test::SampleMessage(), &f.elaine, nullptr, "send money");
    f.Carried(tampered, "kramer@example.org", nullptr);
    const auto settled = f.receiver.Settle("elaine@example.org", f.elaine.Public());
    REQUIRE(settled.size() == 1);
    CHECK(settled[0].outcome == Outcome::Dropped);
    CHECK_FALSE(settled[0].receipt_due);
    CHECK(f.store.Inbox().empty());
    CHECK(f.store.GetCounters().forged_refused == 1);
}

TEST_CASE("a signed carried copy is kept, settles a held one, and is refused when forged")
{
    Fixture f;
    const auto m = test::SampleMessage();
    const CarriedCopy genuine(m, &f.elaine);
    CHECK(f.Carried(genuine, "kramer@example.org", nullptr).outcome == Outcome::Held);
    const auto signed_copy = f.Carried(genuine, "george@example.org", &f.elaine.Public());
    CHECK(signed_copy.outcome == Outcome::Settled);
    CHECK(signed_copy.receipt_due);
    CHECK(f.store.Inbox()[0].authenticity == Authenticity::Signed);
    CHECK(f.store.Inbox()[0].via == "george@example.org");
    const auto again = f.Carried(genuine, "newman@example.org", &f.elaine.Public());
    CHECK(again.outcome == Outcome::Duplicate);
    CHECK(again.receipt_due);

    const CarriedCopy unsigned_copy(m, nullptr);
    const auto refused = f.Carried(unsigned_copy, "newman@example.org", &f.elaine.Public());
    CHECK(refused.outcome == Outcome::Refused);
    CHECK(refused.check == xmpp::Authenticity::Unsigned);
    CHECK_FALSE(refused.receipt_due);
    CHECK(f.store.GetCounters().forged_refused == 1);
    CHECK(f.store.Inbox().size() == 1);
}

TEST_CASE("a receipt counts only from its message's recipient, once")
{
    Fixture f;
    const auto sent = f.store.Enqueue("jerry@example.org", "running late", 1, kFarOff);
    CHECK(f.receiver.TakeReceipt(sent.id, "kramer@example.org") == inbox::Delivery::NotOurs);
    CHECK(f.receiver.TakeReceipt("no-such-id", "jerry@example.org") == inbox::Delivery::NotOurs);
    CHECK(f.receiver.TakeReceipt(sent.id, "jerry@example.org") == inbox::Delivery::Delivered);
    CHECK(f.receiver.TakeReceipt(sent.id, "jerry@example.org") == inbox::Delivery::Again);
    CHECK(f.store.Outbox()[0].state == store::OutboxState::Delivered);
}

TEST_CASE("a verified tombstone of ours delivers our message, the way it says")
{
    Fixture f;
    const auto sent = f.store.Enqueue("elaine@example.org", "over two hops", 1, kFarOff);
    store::Tombstone t{
        "jerry@example.org",  sent.id, "elaine@example.org", kFarOff, "SIG", false, 0,
        "newman@example.org", 2};
    CHECK(f.receiver.TakeTombstone(t, "jerry@example.org") == inbox::Delivery::NotOurs);
    t.verified = true;
    CHECK(f.receiver.TakeTombstone(t, "jerry@j") == inbox::Delivery::NotOurs); // not our name
    t.to = "kramer@example.org";
    CHECK(f.receiver.TakeTombstone(t, "jerry@example.org") == inbox::Delivery::NotOurs);
    t.to = "elaine@example.org";
    CHECK(f.receiver.TakeTombstone(t, "jerry@example.org") == inbox::Delivery::Delivered);
    CHECK(f.receiver.TakeTombstone(t, "jerry@example.org") == inbox::Delivery::Again);
    const auto item = f.store.OutboxById(sent.id);
    REQUIRE(item);
    CHECK(item->state == store::OutboxState::Delivered);
    CHECK(item->delivered_via == "newman@example.org");
    CHECK(item->delivered_hops == 2);
    CHECK(f.store.GetCounters().delivered_by_carriers == 1);
}
