// Seals made once (link/OutboxSigner): a message queued with its seal is
// handed over with it; the seal is made again when our origin or the
// recipient's key changed; what was queued without one is sealed in the
// background.
#include "crypto/Identity.hxx"
#include "link/OutboxChat.hxx"
#include "link/OutboxSigner.hxx"
#include "store/Store.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Protection.hxx"

#include "StoreOnLoop.hxx"

#include <doctest/doctest.h>

#include <string>

using namespace pigeon;
using namespace pigeon::test;

namespace {

constexpr const char* kOrigin = "elaine@example.org";
constexpr const char* kJerry = "jerry@example.org";

struct Signing : StoreOnLoop {
    crypto::Identity elaine = crypto::Identity::Generate();
    crypto::Identity jerry = crypto::Identity::Generate();
    link::OutboxSigner signer{io, store, elaine};

    store::OutboxItem Queue(const std::string& body, bool sealed_now = true)
    {
        store::SealFor seal_for;
        if (sealed_now)
            seal_for = [this](const store::OutboxItem& item) {
                link::OutboxSigner::Keys keys;
                return signer.Make(item, kOrigin, keys);
            };
        return store.Enqueue(kJerry, body, 1000, kFarOff, seal_for);
    }
    // The item as a handoff reads it from the queue.
    store::OutboxItem Queued(const std::string& id)
    {
        for (const auto& item : store.PendingForCarrier("kramer@kramer", 3, 100, 0))
            if (item.id == id)
                return item;
        FAIL("not queued: " << id);
        return {};
    }
    // What Jerry makes of `item` handed over as `origin` with `seal`.
    xmpp::Checked Check(const store::OutboxItem& item, const std::string& origin,
                        const xmpp::Seal& seal)
    {
        const auto message = link::OutboxChat(item, origin);
        auto stanza = xmpp::ToStanza(message);
        xmpp::ApplySeal(stanza, seal);
        return xmpp::Check(stanza, message, &elaine.Public(), jerry);
    }
};

} // namespace

TEST_CASE("a message queued with its seal is handed over with that seal")
{
    Signing s;
    const auto id = s.Queue("running late").id;
    const auto item = s.Queued(id);
    CHECK(item.seal.signed_as == kOrigin);
    CHECK(item.seal.sealed_for.empty()); // Jerry's key is not known
    CHECK_FALSE(item.seal.signature.empty());
    link::OutboxSigner::Keys keys;
    const auto seal = s.signer.SealOf(item, kOrigin, keys);
    CHECK(seal.signature == item.seal.signature); // not signed again
    const auto checked = s.Check(item, kOrigin, seal);
    CHECK(checked.authenticity == xmpp::Authenticity::Signed);
    CHECK(checked.body == "running late");
}

TEST_CASE("a kept seal is made again for another origin or a new recipient key")
{
    Signing s;
    const auto item = s.Queued(s.Queue("running late").id);

    SUBCASE("our origin changed")
    {
        link::OutboxSigner::Keys keys;
        const auto seal = s.signer.SealOf(item, "elaine@elsewhere.org", keys);
        CHECK(seal.signature != item.seal.signature);
        CHECK(s.Check(item, "elaine@elsewhere.org", seal).authenticity ==
              xmpp::Authenticity::Signed);
        // The kept seal would not pass for the new origin.
        CHECK(s.Check(item, "elaine@elsewhere.org", {item.seal.sealed, item.seal.signature})
                  .authenticity == xmpp::Authenticity::Forged);
    }
    SUBCASE("Jerry's key became known: sealed to it now")
    {
        s.store.SetKey(kJerry, crypto::ToBase64(s.jerry.Public()), 2000);
        link::OutboxSigner::Keys keys;
        const auto seal = s.signer.SealOf(item, kOrigin, keys);
        CHECK_FALSE(seal.sealed.empty());
        const auto checked = s.Check(item, kOrigin, seal);
        CHECK(checked.sealed);
        CHECK(checked.authenticity == xmpp::Authenticity::Signed);
        CHECK(checked.body == "running late");
    }
}

TEST_CASE("messages queued without a seal are sealed in the background, a page at a time")
{
    Signing s;
    for (int i = 0; i < 600; ++i)
        s.Queue("m" + std::to_string(i), false);
    REQUIRE(s.store.UnsealedQueue(kOrigin, {}, 1000).size() == 600);
    s.signer.CatchUp(kOrigin);
    CHECK(s.io.run_one() == 1); // one page per turn of the loop
    CHECK(s.store.UnsealedQueue(kOrigin, {}, 1000).size() == 600 - 256);
    s.io.run();
    CHECK(s.store.UnsealedQueue(kOrigin, {}, 1000).empty());
    const auto item = s.store.PendingForCarrier("kramer@kramer", 3, 1, 0).front();
    link::OutboxSigner::Keys keys;
    CHECK(s.Check(item, kOrigin, s.signer.SealOf(item, kOrigin, keys)).authenticity ==
          xmpp::Authenticity::Signed);

    // Our origin changes (an account set): all of them again.
    s.io.restart();
    s.signer.CatchUp("elaine@elsewhere.org");
    s.io.run();
    CHECK(s.store.UnsealedQueue("elaine@elsewhere.org", {}, 1000).empty());
    CHECK(s.store.UnsealedQueue(kOrigin, {}, 1000).size() == 600);
}
