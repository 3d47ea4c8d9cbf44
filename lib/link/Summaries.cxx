#include "link/Summaries.hxx"

#include "link/HandshakeLog.hxx"
#include "link/Neighbours.hxx"
#include "link/Stream.hxx"
#include "store/Store.hxx"
#include "util/EventBus.hxx"
#include "util/Time.hxx"
#include "xmpp/Message.hxx"

namespace pigeon::link {

Summaries::Summaries(boost::asio::io_context& io, store::Store& store, EventBus* events,
                     OnSettled settled) noexcept
    : io_(io), store_(store), events_(events), settled_(std::move(settled))
{
}

Summary Summaries::Ours()
{
    Summary ours;
    for (const auto& held : store_.HeldForSummary(int(kMaxSummaryHeld)))
        ours.held.push_back(SummaryHash(held.origin, held.origin_id));
    for (const auto& t : store_.TombstonesForSummary(int(kMaxSummaryDelivered), NowMs()))
        ours.delivered.push_back(
            TombstoneEntry(SummaryHash(t.origin, t.origin_id), t.with_receipt));
    return ours;
}

void Summaries::Start(const std::string& instance, const Neighbour& neighbour, Stream& stream)
{
    if (!neighbour.carrier)
        return;
    auto& peer = peers_[instance];
    if (peer.started)
        return;
    peer.started = true;
    peer.contact = ++next_;
    peer.iq_id = "summary-" + std::to_string(peer.contact);
    peer.sent = std::chrono::steady_clock::now();
    stream.Send(MakeSummary(peer.iq_id, Ours()));
    if (!peer.settled)
        ArmDeadline(instance, peer);
}

void Summaries::ArmDeadline(const std::string& instance, Peer& peer)
{
    if (!peer.deadline)
        peer.deadline = std::make_unique<boost::asio::steady_timer>(io_);
    peer.deadline->expires_after(kSummaryDeadline);
    peer.deadline->async_wait([this, alive = alive_.Watch(), instance,
                               contact = peer.contact](boost::system::error_code ec) {
        if (ec || alive.Gone())
            return;
        const auto it = peers_.find(instance);
        if (it == peers_.end() || it->second.contact != contact || it->second.settled)
            return;
        Settle(instance, it->second,
               "none within " + std::to_string(kSummaryDeadline.count()) +
                   " s; offering everything");
    });
}

bool Summaries::Settled(const std::string& instance) const noexcept
{
    const auto it = peers_.find(instance);
    return it != peers_.end() && it->second.settled;
}

const Summary* Summaries::Of(const std::string& instance) const noexcept
{
    const auto it = peers_.find(instance);
    return it != peers_.end() && it->second.summary ? &*it->second.summary : nullptr;
}

bool Summaries::Awaits(const std::string& instance, std::string_view iq_id) const noexcept
{
    const auto it = peers_.find(instance);
    return it != peers_.end() && !it->second.iq_id.empty() && it->second.iq_id == iq_id;
}

void Summaries::TakeReply(const std::string& instance, const xml::Element& iq)
{
    auto& peer = peers_[instance];
    peer.iq_id.clear();
    if (iq.Attr("type") == "error" && !peer.settled)
        Settle(instance, peer,
               "ours refused (" + xmpp::ErrorCondition(iq) + "); offering everything");
}

void Summaries::Take(Stream& stream, const xml::Element& iq)
{
    const std::string instance = stream.PeerInstance();
    auto parsed = ParseSummary(*FindSummary(iq));
    auto& peer = peers_[instance];
    if (!parsed.problem.empty()) {
        // Nothing is skipped for it then: the contact goes on without summaries.
        stream.Send(xmpp::MakeIqError(iq, "modify", "bad-request", parsed.problem));
        if (!peer.settled)
            Settle(instance, peer, "its own refused (" + parsed.problem + "); offering everything");
        return;
    }
    stream.Send(xmpp::MakeIqResult(iq));
    if (peer.settled)
        return; // one a contact: a second list arrived too late to matter
    peer.summary = std::move(parsed.summary);
    Settle(instance, peer, "");
}

void Summaries::Settle(const std::string& instance, Peer& peer, const std::string& how)
{
    peer.settled = true;
    if (peer.deadline)
        peer.deadline->cancel();
    const auto ms = peer.started ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::steady_clock::now() - peer.sent)
                                       .count()
                                 : 0;
    const std::int64_t held = peer.summary ? std::int64_t(peer.summary->held.size()) : -1;
    const std::int64_t delivered = peer.summary ? std::int64_t(peer.summary->delivered.size()) : -1;
    LogHandshake(store_, instance, "summary",
                 peer.summary
                     ? "it holds " + std::to_string(held) + " message(s), knows " +
                           std::to_string(delivered) + " delivered; " + std::to_string(ms) + " ms"
                     : how);
    Publish(events_, [&] {
        return Event{"summary",
                     0,
                     {{"from", instance},
                      {"held", held},
                      {"delivered", delivered},
                      {"ms", std::int64_t(ms)}}};
    });
    settled_(instance);
}

void Summaries::EndContact(const std::string& instance) noexcept
{
    const auto it = peers_.find(instance);
    if (it == peers_.end())
        return;
    if (it->second.deadline)
        it->second.deadline->cancel();
    peers_.erase(it);
}

} // namespace pigeon::link
