#include "link/CarryDecision.hxx"

#include <doctest/doctest.h>

#include <set>

using namespace pigeon;
using namespace pigeon::link;

namespace {

IncomingItem Item(const std::string& origin, const std::string& id)
{
    return {origin, id, "jerry@example.org", 1'000, 2'000, "<forwarded/>", {}, {}};
}

IncomingItem WithProblem(IncomingItem item, const std::string& problem,
                         const std::string& condition)
{
    item.problem = problem;
    item.condition = condition;
    return item;
}

// A carrier holding `held` messages, with `contacts` in its roster; it
// remembers what the decision asked it.
struct Carrier {
    std::int64_t held = 0;
    std::set<std::string> contacts;
    int load_asked = 0;
    std::vector<std::string> contacts_asked;

    CarryDecision Decide(CarryPolicy policy, std::int64_t quota,
                         const std::vector<IncomingItem>& items)
    {
        return DecideCarry(
            {policy, quota}, items,
            [this] {
                ++load_asked;
                return held;
            },
            [this](const std::string& bare_jid) {
                contacts_asked.push_back(bare_jid);
                return contacts.contains(bare_jid);
            });
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

TEST_CASE("a request that would go past the quota is refused whole, to be tried later")
{
    Carrier carrier;
    carrier.held = 98;
    const std::vector<IncomingItem> three = {Item("elaine@example.org", "a"),
                                             Item("elaine@example.org", "b"),
                                             Item("elaine@example.org", "c")};
    const auto over = carrier.Decide(CarryPolicy::On, 100, three);
    REQUIRE(over.refusal);
    CHECK(over.refusal->type == "wait");
    CHECK(over.refusal->condition == "resource-constraint");
    CHECK(over.refusal->reason == "quota");
    CHECK(carrier.load_asked == 1);

    carrier.held = 97; // exactly full afterwards is still within the quota
    const auto full = carrier.Decide(CarryPolicy::On, 100, three);
    CHECK_FALSE(full.refusal);
    REQUIRE(full.statuses.size() == 3);
    for (const auto& status : full.statuses)
        CHECK(status.status == "stored");
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
