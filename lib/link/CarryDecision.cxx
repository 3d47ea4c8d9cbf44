#include "link/CarryDecision.hxx"

#include "xmpp/Jid.hxx"

namespace pigeon::link {
namespace {

CarryDecision Refuse(std::string type, std::string condition, std::string text, std::string reason)
{
    return {CarryRefusal{std::move(type), std::move(condition), std::move(text), std::move(reason)},
            {}};
}

} // namespace

CarryDecision DecideCarry(const CarryRules& rules, std::span<const IncomingItem> items,
                          const std::function<std::int64_t()>& carrying,
                          const std::function<bool(const std::string& bare_jid)>& is_contact)
{
    if (rules.policy == CarryPolicy::Off)
        return Refuse("cancel", "forbidden", "this agent carries no messages", "carry = off");
    if (items.empty())
        return Refuse("modify", "bad-request", "no items to carry", {});
    if (carrying() + std::int64_t(items.size()) > rules.quota)
        return Refuse("wait", "resource-constraint", "carrying quota is full", "quota");

    CarryDecision decision;
    bool any_stored = false;
    for (const auto& item : items) {
        std::string condition = item.problem.empty() ? std::string() : item.condition;
        // carry = contacts: only for people in our roster (cached offline).
        if (item.problem.empty() && rules.policy == CarryPolicy::Contacts &&
            !is_contact(xmpp::BareOf(item.origin)))
            condition = "forbidden";
        const bool refused = !item.problem.empty() || !condition.empty();
        decision.statuses.push_back(
            {item.origin, item.origin_id, refused ? "refused" : "stored", condition});
        any_stored = any_stored || !refused;
    }
    if (!any_stored && rules.policy == CarryPolicy::Contacts)
        return Refuse("cancel", "forbidden", "this agent carries only for contacts",
                      "carry = contacts");
    return decision;
}

} // namespace pigeon::link
