// Binary spray-and-wait (issue 11): the rules that split a copy budget and
// decide whether a copy may be handed on, and the carry protocol's budget and
// path, also from a peer that names neither.

#include "link/CarryProtocol.hxx"
#include "link/SprayRules.hxx"
#include "xmpp/Message.hxx"

#include "OverTheWire.hxx"

#include <doctest/doctest.h>

using namespace pigeon;
using namespace pigeon::link;
using test::OverTheWire;

namespace {

xml::Element Forwarded(const std::string& id)
{
    return xmpp::Forward(xmpp::ToStanza({"elaine@example.org", "jerry@example.org", id, "hi",
                                         1'795'321'361'000, true}),
                         1'795'321'361'000);
}

constexpr UnixMs kNow = 1'795'321'400'000;

} // namespace

TEST_CASE("a budget of n > 1 gives floor(n/2) and keeps the rest; 1 only delivers")
{
    CHECK(SplitBudget(8).give == 4);
    CHECK(SplitBudget(8).keep == 4);
    CHECK(SplitBudget(5).give == 2);
    CHECK(SplitBudget(5).keep == 3);
    CHECK(SplitBudget(2).give == 1);
    CHECK(SplitBudget(2).keep == 1);
    CHECK(SplitBudget(1).give == 0);
    CHECK(SplitBudget(1).keep == 1);
    CHECK(SplitBudget(0).give == 0);
    // Spent halving down a chain: L copies reach at most L holders.
    int total = 0;
    for (int budget = 8; budget > 1; budget = SplitBudget(budget).keep)
        total += SplitBudget(budget).give;
    CHECK(total == 7);
}

TEST_CASE("the origin halves what is left, then gives its further K carriers one copy each")
{
    CHECK(OriginGrant(8, 0) == 4);
    CHECK(OriginGrant(8, 4) == 2);
    CHECK(OriginGrant(8, 6) == 1);
    CHECK(OriginGrant(8, 7) == 1);  // down to its own copy: one each, as before budgets
    CHECK(OriginGrant(8, 12) == 1); // however many it gave
    CHECK(OriginGrant(1, 0) == 1);  // copies = 1: the single-hop protocol
    CHECK(OriginGrant(0, 0) == 0);
}

TEST_CASE("a copy is handed on only with budget, within the hop limit, off its path")
{
    const HeldRoute route{4, {"elaine@a", "kramer@b"}, false};
    const std::vector<std::string> newman{"newman@c", "newman@example.org"};
    CHECK(MayHandOn(route, newman, 4));
    // Never back to an agent that held it, by instance or by account.
    const std::vector<std::string> kramer{"kramer@b", ""};
    CHECK_FALSE(MayHandOn(route, kramer, 4));
    const std::vector<std::string> elaine{"elaine@other-name", "elaine@a"};
    CHECK_FALSE(MayHandOn(route, elaine, 4));
    // Two holders and us: a third hop is too many under a limit of 2.
    CHECK(MayHandOn(route, newman, 3));
    CHECK_FALSE(MayHandOn(route, newman, 2));
    // Budget 1: deliver only.
    CHECK_FALSE(MayHandOn({1, {"elaine@a"}, false}, newman, 4));
    // Known delivered, even unverified: nobody hands it on.
    CHECK_FALSE(MayHandOn({4, {"elaine@a"}, true}, newman, 4));
    // An empty name (a neighbour without an account) matches nothing.
    const std::vector<std::string> nameless{"george@d", ""};
    CHECK(MayHandOn({4, {"elaine@a", ""}, false}, nameless, 4));
}

TEST_CASE("a carrier refuses a copy that held it before or is past the hop limit")
{
    const std::vector<std::string> us{"newman@c", "newman@example.org"};
    const std::vector<std::string> fine{"elaine@a", "kramer@b"};
    CHECK(RefuseRoute(fine, us, 4).empty());
    const std::vector<std::string> back{"newman@c", "kramer@b"};
    CHECK(RefuseRoute(back, us, 4) == "we held it before");
    const std::vector<std::string> account{"newman@example.org"};
    CHECK(RefuseRoute(account, us, 4) == "we held it before");
    const std::vector<std::string> long_way{"a@1", "b@2", "c@3", "d@4", "e@5"};
    CHECK(RefuseRoute(long_way, us, 4) == "past the hop limit");
    CHECK(RefuseRoute(long_way, us, 5).empty());
}

TEST_CASE("the kept path ends with the giver, also when an older peer names none")
{
    CHECK(KeptPath({}, "kramer@b") == std::vector<std::string>{"kramer@b"});
    CHECK(KeptPath({"elaine@a"}, "elaine@a") == std::vector<std::string>{"elaine@a"});
    CHECK(KeptPath({"elaine@a"}, "kramer@b") == std::vector<std::string>{"elaine@a", "kramer@b"});
    const std::vector<std::string> path{"elaine@a", "kramer@b", "newman@c"};
    CHECK(SplitPath(JoinPath(path)) == path);
    CHECK(SplitPath("").empty());
    CHECK(JoinPath({}).empty());
}

TEST_CASE("a carry request carries each copy's budget and path")
{
    std::vector<OutgoingItem> items;
    items.push_back({Forwarded("a"), kNow + 60'000, 4, {"elaine@a"}});
    items.push_back({Forwarded("b"), kNow + 60'000, 1, {}});
    const auto parsed =
        ParseCarryRequest(*FindCarry(OverTheWire(MakeCarryRequest("c", items))), kNow);
    REQUIRE(parsed.size() == 2);
    CHECK(parsed[0].problem.empty());
    CHECK(parsed[0].copies == 4);
    CHECK(parsed[0].path == std::vector<std::string>{"elaine@a"});
    CHECK(parsed[1].copies == 1);
    CHECK(parsed[1].path.empty());
}

TEST_CASE("an older peer's item (no budget, no path) is one copy with an empty path")
{
    xml::Element iq("iq", "jabber:client");
    iq.SetAttr("type", "set");
    iq.SetAttr("id", "old");
    auto& carry = iq.AddChild(xml::Element("carry", "urn:xmpp:pigeon:0"));
    for (const char* copies : {"", "1", "x7", "-3", "99999999999999"}) {
        auto& item = carry.AddChild(xml::Element("item", "urn:xmpp:pigeon:0"));
        item.SetAttr("expires", FormatRfc3339(kNow + 60'000));
        if (*copies != '\0')
            item.SetAttr("copies", copies);
        item.AddChild(Forwarded("old"));
    }
    const auto parsed = ParseCarryRequest(*FindCarry(OverTheWire(iq)), kNow);
    REQUIRE(parsed.size() == 5);
    for (const auto& item : parsed) {
        CHECK(item.problem.empty());
        CHECK(item.copies == 1);
        CHECK(item.path.empty());
    }
}

TEST_CASE("a path too long, or with an empty or overlong name, makes the item malformed")
{
    const auto parse = [](std::vector<std::string> path) {
        std::vector<OutgoingItem> items;
        items.push_back({Forwarded("p"), kNow + 60'000, 2, std::move(path)});
        return ParseCarryRequest(*FindCarry(OverTheWire(MakeCarryRequest("c", items))), kNow);
    };
    std::vector<std::string> longest(kMaxPath, "x@y");
    CHECK(parse(longest)[0].problem.empty());
    longest.push_back("one@more");
    CHECK(parse(longest)[0].condition == "bad-request");
    CHECK(parse({"elaine@a", ""})[0].condition == "bad-request");
    CHECK(parse({std::string(kMaxPathName + 1, 'n')})[0].condition == "bad-request");
    CHECK(parse({"two\nlines"})[0].condition == "bad-request");
}
