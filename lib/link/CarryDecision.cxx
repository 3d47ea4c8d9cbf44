#include "link/CarryDecision.hxx"

#include "xmpp/Jid.hxx"

#include <algorithm>
#include <limits>

namespace pigeon::link {
namespace {

constexpr std::int64_t kMiB = 1 << 20;

CarryDecision Refuse(std::string type, std::string condition, std::string text, std::string reason)
{
    return {CarryRefusal{std::move(type), std::move(condition), std::move(text), std::move(reason)},
            {},
            {}};
}

CarriedLoad Plus(const CarriedLoad& a, const CarriedLoad& b) noexcept
{
    return {a.messages + b.messages, a.bytes + b.bytes};
}

bool Over(const CarriedLoad& load, const CarriedLoad& limit) noexcept
{
    return load.messages > limit.messages || load.bytes > limit.bytes;
}

// A holder's part of the total quota: of its messages' and its bytes', the larger.
double Share(const CarriedLoad& load, const CarriedLoad& total) noexcept
{
    const auto part = [](std::int64_t n, std::int64_t of) {
        if (of > 0)
            return double(n) / double(of);
        return n > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    };
    return std::max(part(load.messages, total.messages), part(load.bytes, total.bytes));
}

// What we hold while a request is decided item by item. An item that cannot
// be taken leaves it as it was, evictions included.
class Ledger {
public:
    Ledger(const CarryLimits& limits, CarryHoldings holdings, const CarryLookups& lookups,
           const std::string& neighbour)
        : limits_(limits), holdings_(std::move(holdings)), lookups_(lookups), neighbour_(neighbour)
    {
    }

    // Takes an item of `load` for `origin` if it fits, making room as the rules say.
    bool Take(const std::string& origin, const CarriedLoad& load)
    {
        const CarriedLoad mine = Plus(holdings_.by_neighbour[neighbour_], load);
        if (Over(mine, limits_.per_neighbour) ||
            Over(Plus(holdings_.by_origin[origin], load), limits_.per_origin) ||
            Over(load, limits_.total))
            return false;
        const std::size_t first = evict_.size();
        while (Over(Plus(holdings_.total, load), limits_.total)) {
            const std::string* holder = Biggest(mine);
            const auto copy = holder != nullptr ? NextCopy(*holder) : std::nullopt;
            if (!copy) {
                Undo(first);
                return false;
            }
            Drop(*holder, *copy);
        }
        Add(neighbour_, origin, load);
        return true;
    }

    std::vector<std::pair<std::string, HeldCopy>> Evictions() && { return std::move(evict_); }

private:
    // The holder with the largest share, if it would still hold more than
    // the requester holding `mine`: only such a holder makes room.
    const std::string* Biggest(const CarriedLoad& mine) const
    {
        const std::string* biggest = nullptr;
        double largest = Share(mine, limits_.total);
        for (const auto& [holder, load] : holdings_.by_neighbour) {
            const double share = Share(load, limits_.total);
            if (holder != neighbour_ && share > largest) {
                largest = share;
                biggest = &holder;
            }
        }
        return biggest;
    }

    std::optional<HeldCopy> NextCopy(const std::string& holder)
    {
        auto& queue = queues_[holder];
        if (queue.next == queue.copies.size() && !queue.exhausted) {
            auto page = lookups_.copies(holder, queue.copies.size());
            queue.exhausted = page.empty();
            queue.copies.insert(queue.copies.end(), std::make_move_iterator(page.begin()),
                                std::make_move_iterator(page.end()));
        }
        if (queue.next == queue.copies.size())
            return std::nullopt;
        return queue.copies[queue.next++];
    }

    void Add(const std::string& holder, const std::string& origin, const CarriedLoad& load)
    {
        holdings_.total = Plus(holdings_.total, load);
        auto& held = holdings_.by_neighbour[holder];
        held = Plus(held, load);
        if (const auto it = holdings_.by_origin.find(origin); it != holdings_.by_origin.end())
            it->second = Plus(it->second, load);
    }

    void Drop(const std::string& holder, const HeldCopy& copy)
    {
        Add(holder, copy.origin, {-1, -copy.bytes});
        evict_.emplace_back(holder, copy);
    }

    // Puts back what was evicted from `first` on, for an item that was refused after all.
    void Undo(std::size_t first)
    {
        while (evict_.size() > first) {
            const auto& [holder, copy] = evict_.back();
            Add(holder, copy.origin, {1, copy.bytes});
            --queues_[holder].next;
            evict_.pop_back();
        }
    }

    struct Queue {
        std::vector<HeldCopy> copies; // in eviction order, as read so far
        std::size_t next = 0;
        bool exhausted = false;
    };

    const CarryLimits& limits_;
    CarryHoldings holdings_;
    const CarryLookups& lookups_;
    const std::string& neighbour_;
    std::map<std::string, Queue> queues_;
    std::vector<std::pair<std::string, HeldCopy>> evict_;
};

} // namespace

CarryLimits ResolveCarryLimits(const CarryLimits& configured, std::int64_t free_bytes) noexcept
{
    CarryLimits limits = configured;
    if (limits.total.bytes == 0)
        limits.total.bytes = std::clamp(free_bytes / 10, kMiB, 1024 * kMiB);
    const auto quarter = [](std::int64_t n) {
        return n > 0 ? std::max<std::int64_t>(n / 4, 1) : 0;
    };
    for (auto* share : {&limits.per_neighbour, &limits.per_origin}) {
        if (share->messages == 0)
            share->messages = quarter(limits.total.messages);
        if (share->bytes == 0)
            share->bytes = quarter(limits.total.bytes);
    }
    return limits;
}

CarryDecision DecideCarry(const CarryRules& rules, const std::string& neighbour,
                          std::span<const IncomingItem> items, const CarryLookups& lookups)
{
    if (rules.policy == CarryPolicy::Off)
        return Refuse("cancel", "forbidden", "this agent carries no messages", "carry = off");
    if (items.empty())
        return Refuse("modify", "bad-request", "no items to carry", {});

    std::optional<Ledger> ledger; // read on the first item that gets that far
    CarryDecision decision;
    bool any_stored = false, any_full = false;
    for (const auto& item : items) {
        std::string condition = item.problem.empty() ? std::string() : item.condition;
        // carry = contacts: only for people in our roster (cached offline).
        if (condition.empty() && rules.policy == CarryPolicy::Contacts &&
            !lookups.is_contact(xmpp::BareOf(item.origin)))
            condition = "forbidden";
        if (condition.empty()) {
            if (!ledger)
                ledger.emplace(rules.limits, lookups.holdings(), lookups, neighbour);
            if (!ledger->Take(item.origin, {1, std::int64_t(item.payload.size())}))
                condition = "resource-constraint";
        }
        any_full = any_full || condition == "resource-constraint";
        decision.statuses.push_back(
            {item.origin, item.origin_id, condition.empty() ? "stored" : "refused", condition});
        any_stored = any_stored || condition.empty();
    }
    if (!any_stored && any_full)
        return Refuse("wait", "resource-constraint", "carrying quota is full", "quota");
    if (!any_stored && rules.policy == CarryPolicy::Contacts)
        return Refuse("cancel", "forbidden", "this agent carries only for contacts",
                      "carry = contacts");
    if (ledger)
        decision.evict = std::move(*ledger).Evictions();
    return decision;
}

} // namespace pigeon::link
