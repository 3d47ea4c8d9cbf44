#include "link/Tombstones.hxx"

#include "crypto/Identity.hxx"
#include "inbox/Receiver.hxx"
#include "link/HandshakeLog.hxx"
#include "link/Neighbours.hxx"
#include "link/Stream.hxx"
#include "link/Summaries.hxx"
#include "link/TombstoneProtocol.hxx"
#include "store/Store.hxx"
#include "util/EventBus.hxx"
#include "xmpp/Custody.hxx"
#include "xmpp/Message.hxx"

#include <algorithm>

namespace pigeon::link {

Tombstones::Tombstones(store::Store& store, inbox::Receiver& receiver, EventBus* events,
                       const Summaries& summaries) noexcept
    : store_(store), receiver_(receiver), events_(events), summaries_(summaries)
{
}

bool Tombstones::HasWork(const std::string& instance, const Neighbour& neighbour)
{
    if (!neighbour.carrier)
        return false;
    const auto it = told_up_to_.find(instance);
    const std::int64_t after = it == told_up_to_.end() ? 0 : it->second;
    // Only proof is worth a contact of its own, and news to an origin of its
    // own messages (it may hold the key to check them); the rest rides along.
    const UnixMs now = NowMs();
    return !store_.TombstonesAfter(after, 1, now, true).empty() ||
           store_.HasTombstoneOf(after, now, instance, neighbour.jid);
}

void Tombstones::Offer(const std::string& instance, const Neighbour& neighbour, Stream& stream)
{
    if (!neighbour.carrier || !summaries_.Settled(instance))
        return;
    const Summary* summary = summaries_.Of(instance);
    auto& after = told_up_to_[instance];
    std::int64_t skipped = 0;
    for (;;) {
        auto batch = store_.TombstonesAfter(after, kTombstonesPerRequest, NowMs());
        if (batch.empty())
            break;
        after = batch.back().row;
        const auto known = std::remove_if(batch.begin(), batch.end(), [&](const auto& t) {
            return summary != nullptr &&
                   summary->Knows(TombstoneEntry(SummaryHash(t.origin, t.id), !t.receipt.empty()));
        });
        skipped += batch.end() - known;
        batch.erase(known, batch.end());
        if (!batch.empty())
            stream.Send(MakeTombstones("tombstones-" + std::to_string(++next_iq_), batch));
    }
    store_.CountSummarySkipped(skipped);
}

bool Tombstones::Verify(store::Store& store, const store::Tombstone& t)
{
    if (t.receipt.empty())
        return false;
    const auto text = store.Key(t.to);
    const auto key = text ? crypto::ParsePublicKey(*text) : std::nullopt;
    return key && xmpp::CheckReceipt(*key, t.to, t.origin, t.id, t.receipt);
}

bool Tombstones::Take(Stream& stream, const xml::Element& iq, const std::string& origin)
{
    const UnixMs now = NowMs();
    std::int64_t news = 0, verified = 0, dropped = 0;
    for (auto& t : ParseTombstones(*FindTombstones(iq), now)) {
        t.verified = Verify(store_, t);
        const auto added = store_.AddTombstone(t, now); // durable before we answer
        news += added.news;
        verified += added.news && t.verified;
        dropped += added.dropped;
        if (added.news)
            receiver_.TakeTombstone(t, origin); // ours? delivered, by the way it went
    }
    stream.Send(xmpp::MakeIqResult(iq));
    if (news == 0)
        return false;
    LogHandshake(store_, stream.PeerInstance(), "tombstones",
                 std::to_string(news) + " new, " + std::to_string(verified) + " verified, " +
                     std::to_string(dropped) + " copies deleted");
    Publish(events_, [&] {
        return Event{"tombstones",
                     0,
                     {{"from", stream.PeerInstance()},
                      {"new", news},
                      {"verified", verified},
                      {"dropped", dropped}}};
    });
    return true;
}

void Tombstones::Forget(const std::string& instance) noexcept
{
    told_up_to_.erase(instance);
}

} // namespace pigeon::link
