// What a recipient makes of a carried message, given what it knows of the
// origin's key: the pure decisions of inbox/Decision.hxx.

#include "CarriedCopy.hxx"
#include "inbox/Decision.hxx"

#include <doctest/doctest.h>

#include <vector>

using namespace pigeon;
using inbox::Action;
using test::CarriedCopy;
using xmpp::Authenticity;

namespace {

struct Parties {
    crypto::Identity elaine = crypto::Identity::Generate();
    crypto::Identity jerry = crypto::Identity::Generate();
    crypto::Identity kramer = crypto::Identity::Generate();
};

store::UnverifiedCopy Kept(const CarriedCopy& copy, const std::string& via, UnixMs received)
{
    return {test::SampleMessage().id, via, copy.Text(), received};
}

} // namespace

TEST_CASE("a carried message signed with its origin's key is kept as signed")
{
    Parties p;
    const auto m = test::SampleMessage();
    for (const bool sealed : {false, true}) {
        CAPTURE(sealed);
        const CarriedCopy copy(m, &p.elaine, sealed ? &p.jerry.Public() : nullptr);
        const auto verdict =
            inbox::JudgeCarried(copy.Original(), &p.elaine.Public(), false, p.jerry);
        CHECK(verdict.action == Action::Keep);
        CHECK(verdict.check == Authenticity::Signed);
        CHECK_FALSE(verdict.ask_again);
        CHECK(verdict.request_receipt);
        CHECK(verdict.item.id == m.id);
        CHECK(verdict.item.from == "elaine@example.org"); // bare: one copy per account
        CHECK(verdict.item.body == "running late");       // opened if it was sealed
        CHECK(verdict.item.sent == m.sent);
        CHECK(verdict.item.authenticity == store::Authenticity::Signed);
        CHECK(verdict.item.via.empty()); // the caller's to say
    }
}

TEST_CASE("a tampered copy is refused once the origin's server gave us its key")
{
    Parties p;
    const CarriedCopy copy(test::SampleMessage(), &p.elaine, nullptr, "running early");
    const auto verdict = inbox::JudgeCarried(copy.Original(), &p.elaine.Public(), true, p.jerry);
    CHECK(verdict.action == Action::Refuse);
    CHECK(verdict.check == Authenticity::Forged);
}

TEST_CASE("an unsigned copy is refused, whatever we know of the key")
{
    Parties p;
    const CarriedCopy copy(test::SampleMessage(), nullptr);
    for (const auto* key : {static_cast<const crypto::PublicKey*>(nullptr), &p.elaine.Public()})
        for (const bool asked : {false, true}) {
            const auto verdict = inbox::JudgeCarried(copy.Original(), key, asked, p.jerry);
            CHECK(verdict.action == Action::Refuse);
            CHECK(verdict.check == Authenticity::Unsigned);
        }
}

TEST_CASE("a copy whose origin's key is unknown waits as unverified")
{
    Parties p;
    const CarriedCopy copy(test::SampleMessage(), &p.elaine, &p.jerry.Public());
    const auto verdict = inbox::JudgeCarried(copy.Original(), nullptr, true, p.jerry);
    CHECK(verdict.action == Action::Hold);
    CHECK(verdict.check == Authenticity::Unverified);
    CHECK_FALSE(verdict.ask_again); // asking once is enough: nothing failed
    CHECK(verdict.item.authenticity == store::Authenticity::Unverified);
    CHECK(verdict.item.body == "running late");
    // Not even a key we do not know helps a copy sealed to somebody else.
    const CarriedCopy for_kramer(test::SampleMessage(), &p.elaine, &p.kramer.Public());
    CHECK(inbox::JudgeCarried(for_kramer.Original(), nullptr, false, p.jerry).action ==
          Action::Refuse);
}

TEST_CASE("a key that fails may have changed: asked for again before refusing")
{
    Parties p;
    const auto reinstalled = crypto::Identity::Generate(); // Elaine's new key
    const CarriedCopy copy(test::SampleMessage(), &reinstalled);
    // Not asked this session: perhaps her server has the new key.
    const auto first = inbox::JudgeCarried(copy.Original(), &p.elaine.Public(), false, p.jerry);
    CHECK(first.action == Action::Hold);
    CHECK(first.check == Authenticity::Forged);
    CHECK(first.ask_again);
    CHECK(first.item.authenticity == store::Authenticity::Unverified);
    // Asked already, and that is the key it gave: forged.
    const auto asked = inbox::JudgeCarried(copy.Original(), &p.elaine.Public(), true, p.jerry);
    CHECK(asked.action == Action::Refuse);
    CHECK(asked.check == Authenticity::Forged);
    // The new key, once learnt, bears it out.
    CHECK(inbox::JudgeCarried(copy.Original(), &reinstalled.Public(), true, p.jerry).action ==
          Action::Keep);
}

TEST_CASE("settling: the first genuine copy wins, the ones that fail are counted")
{
    Parties p;
    const auto m = test::SampleMessage();
    const CarriedCopy tampered(m, &p.elaine, nullptr, "running early");
    const CarriedCopy genuine(m, &p.elaine);
    const std::vector<store::UnverifiedCopy> copies = {
        Kept(tampered, "kramer@example.org", 200),
        Kept(genuine, "george@example.org", 300),
        Kept(genuine, "newman@example.org", 400),       // genuine too, but second
        {m.id, "puddy@example.org", "<forwarded", 500}, // unreadable: proves nothing
    };
    const auto settled = inbox::SettleCopies(copies, p.elaine.Public(), p.jerry);
    REQUIRE(settled.genuine);
    CHECK(settled.genuine->via == "george@example.org");
    CHECK(settled.genuine->received == 300);
    CHECK(settled.genuine->body == "running late");
    CHECK(settled.genuine->from == "elaine@example.org");
    CHECK(settled.genuine->authenticity == store::Authenticity::Signed);
    CHECK(settled.request_receipt);
    CHECK(settled.forged == 2);
}

TEST_CASE("settling with no genuine copy drops the message")
{
    Parties p;
    const auto m = test::SampleMessage();
    const CarriedCopy tampered(m, &p.elaine, nullptr, "send money");
    const CarriedCopy unsigned_copy(m, nullptr);
    const CarriedCopy by_kramer(m, &p.kramer);
    const std::vector<store::UnverifiedCopy> copies = {
        Kept(tampered, "kramer@example.org", 200),
        Kept(unsigned_copy, "kramer@example.org", 300),
        Kept(by_kramer, "kramer@example.org", 400),
    };
    const auto settled = inbox::SettleCopies(copies, p.elaine.Public(), p.jerry);
    CHECK_FALSE(settled.genuine);
    CHECK_FALSE(settled.request_receipt);
    CHECK(settled.forged == 3);
}

TEST_CASE("only our server's word or the origin's signature settles an unverified copy")
{
    CHECK(inbox::Settles(store::Authenticity::Server));
    CHECK(inbox::Settles(store::Authenticity::Signed));
    CHECK_FALSE(inbox::Settles(store::Authenticity::LinkLocal)); // a neighbour's unchecked claim
    CHECK_FALSE(inbox::Settles(store::Authenticity::Unverified));
}
