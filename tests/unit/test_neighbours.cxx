// Neighbours: a pigeon we met, announced again, is back at once with the
// record we kept (addresses, pin), before its records can be resolved; no
// other neighbour is, and what we keep of the gone stays bounded.

#include "avahi/Presence.hxx"
#include "link/Neighbours.hxx"
#include "store/Store.hxx"

#include "StoreFixture.hxx"

#include <doctest/doctest.h>

#include <boost/asio/ip/address.hpp>

#include <string>
#include <vector>

using namespace pigeon;
using pigeon::test::TempDb;

namespace {

constexpr const char* kPin = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Seen {
    std::string instance;
    bool fresh;
    bool operator==(const Seen&) const = default;
};

struct Owner final : link::Neighbours::Owner {
    std::vector<Seen> seen;
    std::vector<std::string> gone;
    void OnNeighbourSeen(const std::string& instance, bool fresh) noexcept override
    {
        seen.push_back({instance, fresh});
    }
    void OnNeighbourGone(const std::string& instance) noexcept override
    {
        gone.push_back(instance);
    }
    void OnOwnName(const std::string&) noexcept override {}
};

// A pigeon at 169.254.0.N, with a pin unless `pinned` is false.
avahi::ServiceInfo Pigeon(const std::string& instance, int n, bool pinned = true)
{
    avahi::ServiceInfo info{instance, "host", {{"node", "urn:xmpp:pigeon:0"}}, {}};
    if (pinned)
        info.txt[link::kPinKey] = kPin;
    info.endpoints.push_back(
        {boost::asio::ip::make_address("169.254.0." + std::to_string(n)), 5298, 1});
    return info;
}

struct Fixture {
    TempDb tmp;
    store::Store store{tmp.File()};
    Owner owner;
    link::Neighbours neighbours{store, owner, [](const std::string&) {}};
    avahi::Presence::Listener& avahi = neighbours;

    // Up, then gone and forgotten, as LinkManager forgets a neighbour without a stream.
    void MeetAndPart(const avahi::ServiceInfo& info)
    {
        avahi.OnNeighbourUp(info);
        avahi.OnNeighbourDown(info.instance);
        neighbours.Forget(info.instance);
        owner.seen.clear();
    }
};

} // namespace

TEST_CASE("a pigeon we met is back when announced, at its last addresses, before it resolves")
{
    Fixture f;
    const auto kramer = Pigeon("kramer@kramer", 7);
    f.MeetAndPart(kramer);
    CHECK(f.neighbours.Find("kramer@kramer") == nullptr);

    f.avahi.OnNeighbourAnnounced("kramer@kramer");
    CHECK(f.owner.seen == std::vector<Seen>{{"kramer@kramer", true}});
    const auto* endpoints = f.neighbours.FreshAddresses("kramer@kramer");
    REQUIRE(endpoints != nullptr);
    CHECK(*endpoints == kramer.endpoints);
    CHECK(f.neighbours.Find("kramer@kramer")->pin == kPin);

    // Resolved: seen again, no longer fresh, with what it announces now.
    auto moved = Pigeon("kramer@kramer", 8);
    f.avahi.OnNeighbourUp(moved);
    CHECK(f.owner.seen == std::vector<Seen>{{"kramer@kramer", true}, {"kramer@kramer", false}});
    CHECK(*f.neighbours.FreshAddresses("kramer@kramer") == moved.endpoints);
}

TEST_CASE("no one else is back before it resolves")
{
    Fixture f;
    f.avahi.OnNeighbourAnnounced("stranger@x"); // never met
    f.MeetAndPart(Pigeon("chat@client", 9, false));
    f.avahi.OnNeighbourAnnounced("chat@client"); // no pin: nothing to hold it to
    CHECK(f.owner.seen.empty());
    CHECK(f.neighbours.FreshAddresses("chat@client") == nullptr);

    // An announcement we did not act on goes without a trace.
    f.avahi.OnNeighbourDown("stranger@x");
    f.avahi.OnNeighbourDown("chat@client");
    CHECK(f.owner.gone == std::vector<std::string>{"chat@client"}); // from MeetAndPart only

    // Its pin forgotten by the user: learnt again from its next announcement.
    f.MeetAndPart(Pigeon("kramer@kramer", 7));
    f.neighbours.ForgetPin("kramer@kramer");
    f.avahi.OnNeighbourAnnounced("kramer@kramer");
    CHECK(f.owner.seen.empty());
}

TEST_CASE("a pigeon met before keeps its pin when it resolves without being announced back")
{
    // Resolved without its announcement taking it back first (a name that was
    // held back under ours, looked at again), with a TXT record that drops
    // the pin: it is still held to the pin.
    Fixture f;
    f.MeetAndPart(Pigeon("kramer@kramer", 7));
    f.avahi.OnNeighbourUp(Pigeon("kramer@kramer", 7, false));
    CHECK(f.owner.seen == std::vector<Seen>{{"kramer@kramer", true}});
    CHECK(f.neighbours.Find("kramer@kramer")->pin == kPin);
}

TEST_CASE("what we keep of pigeons gone is bounded")
{
    Fixture f;
    for (int n = 0; n < 65; ++n)
        f.MeetAndPart(Pigeon("p" + std::to_string(n) + "@h", 1 + n % 200));
    f.avahi.OnNeighbourAnnounced("p0@h"); // the longest gone: given up for the 65th
    CHECK(f.owner.seen.empty());
    f.avahi.OnNeighbourAnnounced("p1@h");
    CHECK(f.owner.seen == std::vector<Seen>{{"p1@h", true}});
}
