#include "link/Relay.hxx"

#include "link/HandshakeLog.hxx"
#include "link/LinkConfig.hxx"
#include "link/Neighbours.hxx"
#include "link/SprayRules.hxx"
#include "link/Stream.hxx"
#include "link/Summaries.hxx"
#include "store/Store.hxx"
#include "util/EventBus.hxx"
#include "xml/Document.hxx"
#include "xmpp/Message.hxx"

#include <algorithm>
#include <optional>
#include <span>

namespace pigeon::link {
namespace {

constexpr int kPage = 64;

// Whether `item` is for the neighbour going by `names` itself: Courier
// delivers those.
bool ForNeighbour(const store::CarriedItem& item, std::span<const std::string> names)
{
    return std::find(names.begin(), names.end(), item.to) != names.end();
}

} // namespace

Relay::Relay(boost::asio::io_context& io, store::Store& store, const LinkConfig& config,
             const Summaries& summaries) noexcept
    : io_(io), store_(store), config_(config), summaries_(summaries)
{
}

bool Relay::HasWork(const std::string& instance, const Neighbour& neighbour)
{
    if (!neighbour.carrier)
        return false;
    auto& peer = peers_[instance];
    if (peer.refused || !peer.iq_id.empty())
        return false;
    // From where this contact's walk stands: what it passed over stays unfit
    // (paths only grow, budgets only shrink), so asking again costs only the
    // copies that came in since, not all we carry.
    std::int64_t after = peer.after;
    if (!NextBatch(instance, neighbour, after).empty())
        return true;
    peer.after = after;
    return false;
}

std::vector<store::HandOnCandidate>
Relay::NextBatch(const std::string& instance, const Neighbour& neighbour, std::int64_t& after)
{
    const auto names = NamesOf(instance, neighbour);
    const Summary* summary = summaries_.Of(instance);
    std::vector<store::HandOnCandidate> batch;
    std::vector<store::Relayed> held; // by its summary
    std::size_t bytes = 0;
    const auto done = [&] {
        RecordHeld(instance, held);
        return batch;
    };
    for (bool more = true; more && batch.empty();) {
        const auto page = store_.ToHandOn(instance, after, kPage, NowMs());
        more = int(page.size()) == kPage;
        for (const auto& candidate : page) {
            if (offered_.contains(candidate.row))
                return done(); // another carrier's answer first: we come back to it
            const auto& item = candidate.item;
            const HeldRoute route{item.copies, SplitPath(item.path), false};
            const bool fit =
                MayHandOn(route, names, config_.spray.hop_limit) && !ForNeighbour(item, names);
            if (fit && summary != nullptr && summary->Holds(SummaryHash(item.origin, item.id))) {
                held.push_back({candidate.row, 0, false});
            } else if (fit) {
                if (!batch.empty() && (bytes + item.payload.size() > config_.batch_bytes ||
                                       int(batch.size()) == config_.batch_items))
                    return done();
                bytes += item.payload.size();
                batch.push_back(candidate);
            }
            after = candidate.row;
        }
    }
    return done();
}

void Relay::RecordHeld(const std::string& instance, std::span<const store::Relayed> held)
{
    if (held.empty())
        return;
    store_.RecordRelays(instance, held, NowMs()); // costs nothing: it stored nothing
    store_.CountSummarySkipped(std::int64_t(held.size()));
    LogHandshake(store_, instance, "summary skipped",
                 std::to_string(held.size()) + " carried message(s) it holds already");
}

void Relay::Offer(const std::string& instance, const Neighbour& neighbour, Stream& stream,
                  const std::string& own_instance)
{
    auto& peer = peers_[instance];
    if (!neighbour.carrier || peer.refused || !peer.iq_id.empty() || !summaries_.Settled(instance))
        return;
    const auto batch = NextBatch(instance, neighbour, peer.after);
    std::vector<OutgoingItem> items;
    for (const auto& [item, row] : batch) {
        std::optional<xml::Element> forwarded;
        try {
            forwarded = xml::ParseDocument(item.payload); // as it was handed to us
        } catch (const xml::StreamError&) {
            continue;
        }
        auto path = SplitPath(item.path);
        path.push_back(own_instance);
        const int give = SplitBudget(item.copies).give;
        items.push_back({std::move(*forwarded), item.expires, give, std::move(path)});
        peer.pending.push_back({item.origin, item.id, {row, give, false}});
        offered_.insert(row);
    }
    if (items.empty())
        return;
    peer.iq_id = "relay-" + std::to_string(++next_iq_);
    stream.Send(MakeCarryRequest(peer.iq_id, std::move(items)), CarryPrefixes());
    if (!peer.deadline)
        peer.deadline = std::make_unique<ReplyDeadline>(io_, store_);
    peer.deadline->Arm(stream, "relay");
    LogHandshake(store_, instance, "relaying",
                 std::to_string(items.size()) + " carried message(s) offered on");
}

bool Relay::Awaits(const std::string& instance, std::string_view iq_id) const noexcept
{
    const auto it = peers_.find(instance);
    return it != peers_.end() && !it->second.iq_id.empty() && it->second.iq_id == iq_id;
}

void Relay::TakeReply(const std::string& instance, const xml::Element& iq)
{
    auto& peer = peers_[instance];
    auto sent = peer.pending; // Release empties it: these may go to others again
    Release(peer);
    if (iq.Attr("type") == "error") {
        peer.refused = true;
        LogHandshake(store_, instance, "relay refused", xmpp::ErrorCondition(iq));
        return;
    }
    std::vector<store::Relayed> relayed;
    for (const auto& status : ParseCarryResult(iq)) {
        const bool stored = status.status == "stored";
        if (!stored && status.status != "duplicate")
            continue;
        // The first copy of that message in the batch not answered yet.
        const auto it = std::find_if(sent.begin(), sent.end(), [&](const Sent& s) {
            return s.origin == status.origin && s.origin_id == status.origin_id &&
                   s.relayed.row != 0;
        });
        if (it == sent.end())
            continue;
        relayed.push_back({it->relayed.row, it->relayed.copies, stored});
        it->relayed.row = 0;
    }
    store_.RecordRelays(instance, relayed, NowMs()); // after its durable copy, not before
    const auto stored = std::count_if(relayed.begin(), relayed.end(),
                                      [](const store::Relayed& r) { return r.stored; });
    LogHandshake(store_, instance, "relayed",
                 std::to_string(stored) + " carried message(s) handed on");
    Publish(config_.events, [&] {
        return Event{"relayed", 0, {{"carrier", instance}, {"count", std::int64_t(stored)}}};
    });
}

void Relay::Release(Peer& peer) noexcept
{
    for (const auto& s : peer.pending)
        offered_.erase(s.relayed.row);
    peer.pending.clear();
    peer.iq_id.clear();
    if (peer.deadline)
        peer.deadline->Disarm();
}

void Relay::EndContact(const std::string& instance) noexcept
{
    const auto it = peers_.find(instance);
    if (it == peers_.end())
        return;
    Release(it->second);
    it->second.after = 0;
}

void Relay::Forget(const std::string& instance) noexcept
{
    EndContact(instance);
    peers_.erase(instance);
}

} // namespace pigeon::link
