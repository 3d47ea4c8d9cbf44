#include "link/CarryDecision.hxx"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

using namespace pigeon;
using namespace pigeon::link;

namespace {

IncomingItem Item(const std::string& origin, const std::string& id)
{
    return {origin, id, "jerry@example.org", 1'000, 2'000, "<forwarded/>", {}, {}};
}

IncomingItem Sized(const std::string& id, std::size_t bytes)
{
    auto item = Item("elaine@example.org", id);
    item.payload.assign(bytes, 'x');
    return item;
}

// Only bytes matter: 100 messages in all, and no smaller shares.
CarryLimits Bytes(std::int64_t bytes)
{
    return {{100, bytes}, {100, bytes}, {100, bytes}};
}

IncomingItem WithProblem(IncomingItem item, const std::string& problem,
                         const std::string& condition)
{
    item.problem = problem;
    item.condition = condition;
    return item;
}

// A carrier holding copies from neighbours, with `contacts` in its roster;
// it remembers what the decision asked it.
struct Carrier {
    // Per neighbour, its copies in eviction order.
    std::map<std::string, std::vector<HeldCopy>> held;
    std::set<std::string> contacts;
    int load_asked = 0;
    std::vector<std::string> contacts_asked;
    std::int64_t next_row = 1;

    void Hold(const std::string& neighbour, const std::string& origin, int count,
              std::int64_t bytes = 100)
    {
        for (int i = 0; i < count; ++i, ++next_row)
            held[neighbour].push_back(
                {next_row, origin, origin + "-" + std::to_string(next_row), bytes});
    }

    CarryDecision Decide(CarryPolicy policy, const CarryLimits& limits, const std::string& from,
                         const std::vector<IncomingItem>& items)
    {
        return DecideCarry({policy, limits}, from, items,
                           {[this] {
                                ++load_asked;
                                CarryHoldings holdings;
                                for (const auto& [neighbour, copies] : held)
                                    for (const auto& copy : copies) {
                                        for (auto* load :
                                             {&holdings.total, &holdings.by_neighbour[neighbour],
                                              &holdings.by_origin[copy.origin]}) {
                                            ++load->messages;
                                            load->bytes += copy.bytes;
                                        }
                                    }
                                return holdings;
                            },
                            [this](const std::string& neighbour, std::size_t skip) {
                                // Pages of two, as a store might page them.
                                const auto& copies = held[neighbour];
                                const auto from = std::min(skip, copies.size());
                                const auto to = std::min(skip + 2, copies.size());
                                return std::vector<HeldCopy>(copies.begin() + long(from),
                                                             copies.begin() + long(to));
                            },
                            [this](const std::string& bare_jid) {
                                contacts_asked.push_back(bare_jid);
                                return contacts.contains(bare_jid);
                            }});
    }

    CarryDecision Decide(CarryPolicy policy, std::int64_t quota,
                         const std::vector<IncomingItem>& items)
    {
        return Decide(policy, Messages(quota), "elaine@elaine", items);
    }

    // Only a message count matters: bytes, neighbour and origin shares are ample.
    static CarryLimits Messages(std::int64_t quota)
    {
        return {{quota, 1 << 30}, {quota, 1 << 30}, {quota, 1 << 30}};
    }
};

void CheckStatus(const ItemStatus& status, const std::string& id, const std::string& verdict,
                 const std::string& condition = {})
{
    CHECK(status.origin_id == id);
    CHECK(status.status == verdict);
    CHECK(status.condition == condition);
}

} // namespace

TEST_CASE("carry = off refuses the whole request without looking at the load")
{
    Carrier carrier;
    const auto decision = carrier.Decide(CarryPolicy::Off, 100, {Item("elaine@example.org", "a")});
    REQUIRE(decision.refusal);
    CHECK(decision.refusal->type == "cancel");
    CHECK(decision.refusal->condition == "forbidden");
    CHECK(decision.refusal->reason == "carry = off");
    CHECK(decision.statuses.empty());
    CHECK(carrier.load_asked == 0);
    CHECK(carrier.contacts_asked.empty());
}

TEST_CASE("a request without items is malformed, and not worth a log line")
{
    Carrier carrier;
    const auto decision = carrier.Decide(CarryPolicy::On, 100, {});
    REQUIRE(decision.refusal);
    CHECK(decision.refusal->type == "modify");
    CHECK(decision.refusal->condition == "bad-request");
    CHECK(decision.refusal->reason.empty());
    CHECK(carrier.load_asked == 0);
}

TEST_CASE("a request from the biggest holder past the quota: what fits is stored, the rest waits")
{
    Carrier carrier;
    carrier.Hold("elaine@elaine", "elaine@example.org", 98);
    const std::vector<IncomingItem> three = {Item("elaine@example.org", "a"),
                                             Item("elaine@example.org", "b"),
                                             Item("elaine@example.org", "c")};
    const auto over = carrier.Decide(CarryPolicy::On, 100, three);
    CHECK_FALSE(over.refusal);
    REQUIRE(over.statuses.size() == 3);
    CheckStatus(over.statuses[0], "a", "stored");
    CheckStatus(over.statuses[1], "b", "stored");
    CheckStatus(over.statuses[2], "c", "refused", "resource-constraint");
    CHECK(over.evict.empty()); // nobody holds more than elaine: she cannot make room
    CHECK(carrier.load_asked == 1);

    carrier.Hold("elaine@elaine", "elaine@example.org", 2); // now exactly full
    const auto full = carrier.Decide(CarryPolicy::On, 100, three);
    REQUIRE(full.refusal); // nothing would be stored: refused whole, to be tried later
    CHECK(full.refusal->type == "wait");
    CHECK(full.refusal->condition == "resource-constraint");
    CHECK(full.refusal->reason == "quota");
    CHECK(full.statuses.empty());
    CHECK(full.evict.empty());
}

TEST_CASE("a full carrier makes room for a small holder from the biggest holder's first copies")
{
    Carrier carrier;
    carrier.Hold("newman@newman", "newman@example.org", 6);
    carrier.Hold("george@george", "george@example.org", 4);
    // Elaine holds nothing: the biggest holder, newman, gives up his first
    // copies in eviction order, one per item.
    const auto decision =
        carrier.Decide(CarryPolicy::On, Carrier::Messages(10), "elaine@elaine",
                       {Item("elaine@example.org", "a"), Item("elaine@example.org", "b"),
                        Item("elaine@example.org", "c")});
    CHECK_FALSE(decision.refusal);
    for (const auto& status : decision.statuses)
        CHECK(status.status == "stored");
    REQUIRE(decision.evict.size() == 3);
    // 6 4 0 -> 5 4 1 -> 4 4 2 -> then newman and george hold 4 each: newman
    // is still found first, as the first of equals (map order: george first,
    // only a strictly larger share replaces it).
    CHECK(decision.evict[0].first == "newman@newman");
    CHECK(decision.evict[0].second.row == 1);
    CHECK(decision.evict[1].first == "newman@newman");
    CHECK(decision.evict[1].second.row == 2);
    CHECK(decision.evict[2].first == "george@george");
    CHECK(decision.evict[2].second.row == 7);
}

TEST_CASE("a holder never takes room from one that holds no more than it would")
{
    Carrier carrier;
    carrier.Hold("newman@newman", "newman@example.org", 5);
    carrier.Hold("elaine@elaine", "elaine@example.org", 5);
    // Newman would hold 6 against elaine's 5: he is refused, nothing evicted.
    const auto newman = carrier.Decide(CarryPolicy::On, Carrier::Messages(10), "newman@newman",
                                       {Item("newman@example.org", "x")});
    REQUIRE(newman.refusal);
    CHECK(newman.refusal->condition == "resource-constraint");
    CHECK(newman.refusal->type == "wait");
    CHECK(newman.evict.empty());
}

TEST_CASE("one neighbour's share and one origin's share hold however empty the carrier is")
{
    Carrier carrier;
    CarryLimits limits{{100, 1 << 20}, {3, 1 << 20}, {2, 1 << 20}};
    const auto decision = carrier.Decide(CarryPolicy::On, limits, "newman@newman",
                                         {Item("a@example.org", "1"), Item("a@example.org", "2"),
                                          Item("a@example.org", "3"), Item("b@example.org", "4"),
                                          Item("c@example.org", "5")});
    CHECK_FALSE(decision.refusal);
    REQUIRE(decision.statuses.size() == 5);
    CheckStatus(decision.statuses[0], "1", "stored");
    CheckStatus(decision.statuses[1], "2", "stored");
    CheckStatus(decision.statuses[2], "3", "refused", "resource-constraint"); // origin a: 2
    CheckStatus(decision.statuses[3], "4", "stored");
    CheckStatus(decision.statuses[4], "5", "refused", "resource-constraint"); // newman: 3
    CHECK(decision.evict.empty());
}

TEST_CASE("bytes count like messages: large bodies make room by bytes, a too large one is refused")
{
    Carrier carrier;
    carrier.Hold("newman@newman", "newman@example.org", 4, 250); // 1000 bytes, all there is
    const auto limits = Bytes(1000);
    auto big = Sized("big", 400);
    const auto decision =
        carrier.Decide(CarryPolicy::On, limits, "elaine@elaine", {Sized("huge", 1001), big});
    CHECK_FALSE(decision.refusal);
    REQUIRE(decision.statuses.size() == 2);
    CheckStatus(decision.statuses[0], "huge", "refused", "resource-constraint");
    CheckStatus(decision.statuses[1], "big", "stored");
    // 400 bytes need two of newman's 250-byte copies gone (1000 - 500 + 400 <= 1000).
    REQUIRE(decision.evict.size() == 2);
    CHECK(decision.evict[1].second.row == 2);

    // 600 bytes would need a third, leaving newman (250) less than elaine
    // (600): not while he holds no more than she would.
    big.payload.assign(600, 'x');
    const auto greedy = carrier.Decide(CarryPolicy::On, limits, "elaine@elaine", {big});
    REQUIRE(greedy.refusal);
    CHECK(greedy.refusal->condition == "resource-constraint");
}

TEST_CASE("an item refused after evicting puts back what it evicted")
{
    Carrier carrier;
    carrier.Hold("newman@newman", "newman@example.org", 2, 300);
    carrier.Hold("george@george", "george@example.org", 1, 300);
    // 500 bytes: newman (600) gives up one copy, then holds less than
    // elaine would (300 < 500) and nobody else may give: refused, put back.
    const auto decision = carrier.Decide(CarryPolicy::On, Bytes(900), "elaine@elaine",
                                         {Sized("big", 500), Sized("small", 250)});
    CHECK_FALSE(decision.refusal);
    CheckStatus(decision.statuses[0], "big", "refused", "resource-constraint");
    CheckStatus(decision.statuses[1], "small", "stored");
    REQUIRE(decision.evict.size() == 1); // only what `small` needed, newman's first copy
    CHECK(decision.evict[0].second.row == 1);
}

TEST_CASE("limits left at 0 are derived from the free disk space and the totals")
{
    const CarryLimits configured{{100000, 0}, {0, 0}, {0, 1000}};
    const auto limits = ResolveCarryLimits(configured, std::int64_t{50} << 20);
    CHECK(limits.total.messages == 100000);
    CHECK(limits.total.bytes == 5 << 20); // a tenth of 50 MiB
    CHECK(limits.per_neighbour.messages == 25000);
    CHECK(limits.per_neighbour.bytes == (5 << 20) / 4);
    CHECK(limits.per_origin.messages == 25000);
    CHECK(limits.per_origin.bytes == 1000); // given, kept
    CHECK(ResolveCarryLimits(configured, std::int64_t{1} << 40).total.bytes == 1 << 30);
    CHECK(ResolveCarryLimits(configured, 1000).total.bytes == 1 << 20);
    const CarryLimits nothing{{0, 0}, {0, 0}, {0, 0}};
    CHECK(ResolveCarryLimits(nothing, 1 << 30).per_neighbour.messages == 0);
}

TEST_CASE("malformed and expired items are refused one by one, the rest stored in order")
{
    Carrier carrier;
    const auto decision = carrier.Decide(
        CarryPolicy::On, 100,
        {Item("elaine@example.org/phone", "a"),
         WithProblem(Item("elaine@example.org", "b"), "malformed item", "bad-request"),
         WithProblem(Item("elaine@example.org", "c"), "expired", "not-acceptable"),
         Item("george@example.org", "d")});
    CHECK_FALSE(decision.refusal);
    REQUIRE(decision.statuses.size() == 4);
    CheckStatus(decision.statuses[0], "a", "stored");
    CHECK(decision.statuses[0].origin == "elaine@example.org/phone");
    CheckStatus(decision.statuses[1], "b", "refused", "bad-request");
    CheckStatus(decision.statuses[2], "c", "refused", "not-acceptable");
    CheckStatus(decision.statuses[3], "d", "stored");
    CHECK(carrier.contacts_asked.empty()); // carry = on carries for anybody
}

TEST_CASE("carry = contacts stores for contacts only, asking with bare JIDs")
{
    Carrier carrier;
    carrier.contacts = {"elaine@example.org"};
    const auto decision =
        carrier.Decide(CarryPolicy::Contacts, 100,
                       {Item("elaine@example.org/phone", "a"), Item("newman@example.org", "b"),
                        WithProblem(Item("elaine@example.org", "c"), "expired", "not-acceptable")});
    CHECK_FALSE(decision.refusal);
    REQUIRE(decision.statuses.size() == 3);
    CheckStatus(decision.statuses[0], "a", "stored");
    CheckStatus(decision.statuses[1], "b", "refused", "forbidden");
    CheckStatus(decision.statuses[2], "c", "refused", "not-acceptable");
    // An item refused for its own problem needs no roster look-up.
    CHECK(carrier.contacts_asked ==
          std::vector<std::string>{"elaine@example.org", "newman@example.org"});
}

TEST_CASE("carry = contacts with nothing from a contact refuses the whole request")
{
    Carrier nobody;
    const auto strangers =
        nobody.Decide(CarryPolicy::Contacts, 100,
                      {Item("newman@example.org", "a"), Item("babu@example.org", "b")});
    REQUIRE(strangers.refusal);
    CHECK(strangers.refusal->type == "cancel");
    CHECK(strangers.refusal->condition == "forbidden");
    CHECK(strangers.refusal->reason == "carry = contacts");
    CHECK(strangers.statuses.empty());

    // Also when what a contact sent was unusable: nothing would be stored.
    Carrier friendly;
    friendly.contacts = {"elaine@example.org"};
    const auto broken = friendly.Decide(
        CarryPolicy::Contacts, 100,
        {WithProblem(Item("elaine@example.org", "a"), "malformed item", "bad-request")});
    REQUIRE(broken.refusal);
    CHECK(broken.refusal->condition == "forbidden");
}

TEST_CASE("carry = on with nothing usable answers item by item, not as a whole")
{
    Carrier carrier;
    const auto decision =
        carrier.Decide(CarryPolicy::On, 100,
                       {WithProblem(Item("elaine@example.org", "a"), "expired", "not-acceptable")});
    CHECK_FALSE(decision.refusal);
    REQUIRE(decision.statuses.size() == 1);
    CheckStatus(decision.statuses[0], "a", "refused", "not-acceptable");
}
