#include "link/CarrierDesk.hxx"

#include "crypto/Identity.hxx"
#include "link/HandshakeLog.hxx"
#include "link/SprayRules.hxx"
#include "link/Stream.hxx"
#include "sqlite/Error.hxx"
#include "store/Store.hxx"
#include "store/WalSync.hxx"
#include "util/EventBus.hxx"
#include "xmpp/Message.hxx"

#include <algorithm>
#include <map>

namespace pigeon::link {

CarrierDesk::CarrierDesk(store::Store& store, const LinkConfig& config) noexcept
    : store_(store), config_(config)
{
}

int CarrierDesk::Take(Stream& stream, const xml::Element& iq,
                      std::span<const std::string> our_names)
{
    const std::string from_peer = stream.PeerInstance();
    const UnixMs now = NowMs();
    // A copy its origin's key does not bear out is refused (no pre-emption).
    // A batch has mostly one origin: its key is looked up once.
    std::map<std::string, std::optional<crypto::PublicKey>> keys;
    auto items = ParseCarryRequest(*FindCarry(iq), now, [this, &keys](const std::string& bare) {
        auto [known, fresh] = keys.try_emplace(bare);
        if (fresh) {
            const auto text = store_.Key(bare);
            known->second = text ? crypto::ParsePublicKey(*text) : std::nullopt;
        }
        return known->second;
    });
    CheckRoutes(items, our_names);
    const auto held = TakeOutHeld(items, from_peer);
    if (items.empty() && !held.empty()) {
        Answer(stream, MakeCarryResult(iq, held));
        return 0;
    }
    std::vector<ItemStatus> answer;
    try {
        CountForged(from_peer, items);
        const auto decision = Decide(from_peer, items, now);
        if (decision.refusal) {
            Refuse(stream, iq, *decision.refusal);
            return 0;
        }
        answer = Keep(from_peer, std::move(items), decision, now);
    } catch (const std::system_error& e) {
        if (!sqlite::IsOutOfSpace(e.code()))
            throw;
        // Rolled back, nothing acknowledged: like a full quota, for now.
        Refuse(stream, iq,
               {"wait", "resource-constraint", "out of disk space",
                std::string("out of disk space: ") + e.what()});
        return 0;
    }
    answer.insert(answer.end(), held.begin(), held.end());
    Answer(stream, MakeCarryResult(iq, answer));
    const auto count = [&answer](std::string_view status) {
        return std::count_if(answer.begin(), answer.end(),
                             [status](const ItemStatus& s) { return s.status == status; });
    };
    const auto stored = count("stored");
    if (stored > 0 && config_.on_carried)
        config_.on_carried();
    LogHandshake(store_, from_peer, "carrying",
                 std::to_string(stored) + " new, " + std::to_string(count("duplicate")) +
                     " already held, " + std::to_string(count("refused")) + " refused");
    PublishCarrying(from_peer, answer);
    return int(stored);
}

void CarrierDesk::Answer(Stream& stream, xml::Element answer)
{
    if (config_.wal_sync == nullptr) {
        stream.Send(answer);
        return;
    }
    // After the commits it answers for, in the order of the answers before it.
    config_.wal_sync->WhenDurable([stream = stream.weak_from_this(), answer = std::move(answer)] {
        if (const auto open = stream.lock(); open && open->IsOpen())
            open->Send(answer);
    });
}

CarryDecision CarrierDesk::Decide(const std::string& from_peer, std::span<const IncomingItem> items,
                                  UnixMs now)
{
    return DecideCarry({config_.carry, config_.carry_limits}, from_peer, items,
                       {[&] { return Holdings(items, now); },
                        [&](const std::string& peer, std::size_t skip) {
                            return store_.EvictionOrder(peer, 256, std::int64_t(skip));
                        },
                        [&](const std::string& bare_jid) { return store_.IsContact(bare_jid); }});
}

void CarrierDesk::Refuse(Stream& stream, const xml::Element& iq, const CarryRefusal& refusal)
{
    const std::string from_peer = stream.PeerInstance();
    Answer(stream, xmpp::MakeIqError(iq, refusal.type, refusal.condition, refusal.text));
    if (!refusal.reason.empty())
        LogHandshake(store_, from_peer, "carry refused", refusal.reason);
    Publish(config_.events, [&] {
        return Event{"refused",
                     0,
                     {{"by", std::string("us")},
                      {"peer", from_peer},
                      {"condition", refusal.condition},
                      {"text", refusal.reason}}};
    });
}

void CarrierDesk::CheckRoutes(std::span<IncomingItem> items,
                              std::span<const std::string> our_names) const
{
    // Nothing comes back to an agent that held it, nor goes past the hop limit.
    for (auto& item : items)
        if (const auto why = RefuseRoute(item.path, our_names, config_.spray.hop_limit);
            item.problem.empty() && !why.empty()) {
            item.problem = why;
            item.condition = "not-acceptable";
        }
}

std::vector<ItemStatus> CarrierDesk::TakeOutHeld(std::vector<IncomingItem>& items,
                                                 const std::string& from_peer)
{
    // Offered again by the one who gave it (we died between our commit and
    // our answer): the copy we hold, taken again, not a second one; sealed
    // again (the recipient's key came meanwhile), its bytes would differ. Its
    // giver counts it as given now.
    std::vector<store::CarriedItem> offered;
    for (const auto& item : items) {
        if (!item.problem.empty())
            continue;
        auto& copy = offered.emplace_back();
        copy.id = item.origin_id;
        copy.origin = item.origin;
        copy.from_peer = from_peer;
        copy.copies = TakenBudget(item.copies);
    }
    const auto retaken = store_.RetakeCopies(offered);
    // A copy another carrier hands on, of a message we hold (or held), would
    // only be a second copy of it here. Copies straight from their origin
    // are still kept apart (no pre-emption).
    std::vector<ItemStatus> held;
    std::size_t i = 0;
    std::erase_if(items, [&](const IncomingItem& item) {
        if (!item.problem.empty())
            return false;
        const bool again = retaken[i++];
        if (!again && (KeptPath(item.path, from_peer).size() < 2 ||
                       !store_.CarriedExpiry(item.origin, item.origin_id)))
            return false;
        held.push_back({item.origin, item.origin_id, again ? "stored" : "duplicate", {}});
        return true;
    });
    return held;
}

int CarrierDesk::TakenBudget(int offered) const noexcept
{
    return std::clamp(offered, 1, std::max(config_.spray.copies, 1));
}

void CarrierDesk::PublishCarrying(const std::string& from_peer,
                                  std::span<const ItemStatus> answer) const noexcept
{
    Publish(config_.events, [&] {
        std::vector<std::string> ids;
        std::int64_t duplicate = 0, refused = 0;
        for (const auto& status : answer) {
            if (status.status == "stored")
                ids.push_back(status.origin_id);
            duplicate += status.status == "duplicate";
            refused += status.status == "refused";
        }
        return Event{"carrying",
                     0,
                     {{"from", from_peer},
                      {"new", std::int64_t(ids.size())},
                      {"duplicate", duplicate},
                      {"refused", refused},
                      {"ids", ids}}};
    });
}

CarryHoldings CarrierDesk::Holdings(std::span<const IncomingItem> items, UnixMs now)
{
    // What nobody uploaded in time no longer counts.
    const int expired = store_.ExpireCarried(now);
    if (expired > 0)
        Publish(config_.events, [&] {
            return Event{"expired", 0, {{"count", std::int64_t{expired}}}};
        });
    CarryHoldings holdings;
    holdings.by_neighbour = store_.CarriedByPeer();
    for (const auto& [peer, load] : holdings.by_neighbour)
        holdings.total = {holdings.total.messages + load.messages,
                          holdings.total.bytes + load.bytes};
    for (const auto& item : items)
        if (!holdings.by_origin.contains(item.origin))
            holdings.by_origin.emplace(item.origin, store_.CarriedFromOrigin(item.origin));
    return holdings;
}

std::vector<ItemStatus> CarrierDesk::Keep(const std::string& from_peer,
                                          std::vector<IncomingItem> items,
                                          const CarryDecision& decision, UnixMs now)
{
    const auto& decided = decision.statuses;
    std::vector<ItemStatus> answer;
    std::vector<store::CarriedItem> to_store;
    to_store.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (decided[i].status != "stored") {
            answer.push_back(decided[i]);
            continue;
        }
        auto& item = items[i];
        // Our own policy caps how long we hold anything, whatever the origin asks.
        const UnixMs expires = std::min(item.expires, now + config_.ttl);
        // Our own L caps the budget we take on; the giver joins the path.
        to_store.push_back({std::move(item.origin_id),
                            std::move(item.origin),
                            std::move(item.to),
                            from_peer,
                            item.sent,
                            now,
                            expires,
                            0,
                            std::move(item.payload),
                            0,
                            {},
                            TakenBudget(item.copies),
                            JoinPath(KeptPath(item.path, from_peer))});
    }
    std::vector<std::int64_t> evict;
    for (const auto& [holder, copy] : decision.evict)
        evict.push_back(copy.row);
    // Durable before we answer: now, or once WalSync says so (Answer).
    const auto added = store_.AddCarried(
        to_store, evict, config_.wal_sync ? store::Commit::kDeferred : store::Commit::kDurable);
    NoteEvictions(from_peer, decision.evict);
    for (std::size_t i = 0; i < to_store.size(); ++i)
        answer.push_back(
            {to_store[i].origin, to_store[i].id, added[i] ? "stored" : "duplicate", {}});
    return answer;
}

void CarrierDesk::NoteEvictions(const std::string& for_peer,
                                std::span<const std::pair<std::string, HeldCopy>> evicted)
{
    std::map<std::string, std::int64_t> by_holder;
    for (const auto& [holder, copy] : evicted)
        ++by_holder[holder];
    // Not a structured binding: clang 14 cannot capture one in the lambda.
    for (const auto& entry : by_holder) {
        const std::string& holder = entry.first;
        const std::int64_t count = entry.second;
        LogHandshake(store_, holder, "evicted",
                     std::to_string(count) + " carried copies, to make room for " + for_peer);
        Publish(config_.events, [&] {
            return Event{"evicted", 0, {{"holder", holder}, {"for", for_peer}, {"count", count}}};
        });
    }
}

void CarrierDesk::CountForged(const std::string& from_peer, std::span<const IncomingItem> items)
{
    const auto forged = std::count_if(items.begin(), items.end(), [](const IncomingItem& item) {
        return item.problem == "forged";
    });
    if (forged == 0)
        return;
    store_.CountForged(int(forged));
    LogHandshake(store_, from_peer, "forged", std::to_string(forged) + " carried copies refused");
}

} // namespace pigeon::link
