#include "link/Handoff.hxx"

#include "crypto/Random.hxx"
#include "link/HandshakeLog.hxx"
#include "link/LinkConfig.hxx"
#include "link/Neighbours.hxx"
#include "link/OutboxChat.hxx"
#include "link/SprayRules.hxx"
#include "link/Stream.hxx"
#include "store/Store.hxx"
#include "util/EventBus.hxx"
#include "util/Log.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Protection.hxx"

#include <algorithm>
#include <tuple>

namespace pigeon::link {
namespace asio = boost::asio;

namespace {

// What a handed-over item adds to its body: the forwarded message around it,
// the signature, and when sealed the notice and the seal's own bytes.
constexpr std::size_t kItemOverhead = 800;
// The carrier parses and commits the next batches while the disk syncs one
// (store::WalSync). In paired runs of the handoff bench, two in flight gave
// a median ratio of ~0.41 and four ~0.50; eight (~650 KiB) took the median
// from ~25,500 to ~29,500 messages/s over four (six pairs).
constexpr std::size_t kBatchesInFlight = 8;

// Whether queue position `a` comes before `b`.
bool Before(const store::QueuePosition& a, const store::QueuePosition& b) noexcept
{
    return std::tie(a.created, a.id) < std::tie(b.created, b.id);
}

// For the log: when a carrier that refused for now is asked again.
std::string RetryNote(const std::optional<std::chrono::milliseconds>& retry)
{
    return retry ? AskingAgainIn(*retry) : std::string();
}

} // namespace

Handoff::Handoff(asio::io_context& io, store::Store& store, const LinkConfig& config,
                 Retry retry) noexcept
    : io_(io), store_(store), config_(config), retry_(std::move(retry)),
      signer_(io, store, *config.identity)
{
}

bool Handoff::HasWork(const std::string& instance, const Neighbour& neighbour)
{
    if (!neighbour.carrier || Refused(instance))
        return false;
    auto& carrier = carriers_[instance];
    const UnixMs now = NowMs();
    const auto next =
        store_.PendingForCarrier(instance, config_.carriers, 1, now, WalkFrom(carrier));
    // What lies before the first message it may take stays behind (see
    // offered_up_to), up to now if none: the next look starts there.
    const store::QueuePosition behind{next.empty() ? now : next.front().created, std::string()};
    if (Before(carrier.offered_up_to, behind))
        carrier.offered_up_to = behind;
    return !next.empty();
}

const store::QueuePosition& Handoff::WalkFrom(Carrier& carrier) noexcept
{
    if (carrier.requeued != store_.Requeued()) {
        carrier.requeued = store_.Requeued();
        carrier.offered_up_to = {};
    }
    return carrier.offered_up_to;
}

void Handoff::RewindTo(Carrier& carrier, const store::QueuePosition& position) noexcept
{
    if (Before(position, carrier.offered_up_to))
        carrier.offered_up_to = position;
}

bool Handoff::Refused(const std::string& instance) const noexcept
{
    const auto it = carriers_.find(instance);
    return it != carriers_.end() && it->second.refused;
}

bool Handoff::HasRoom(const std::string& instance) const noexcept
{
    const auto it = carriers_.find(instance);
    return !Refused(instance) &&
           (it == carriers_.end() || it->second.pending.size() < kBatchesInFlight);
}

void Handoff::Offer(const std::string& instance, const Neighbour& neighbour, Stream& stream,
                    const std::string& origin, const std::string& own_instance)
{
    if (!neighbour.carrier)
        return;
    auto& carrier = carriers_[instance];
    while (!carrier.refused && carrier.pending.size() < kBatchesInFlight &&
           OfferBatch(instance, neighbour, carrier, stream, origin, own_instance)) {
    }
}

bool Handoff::OfferBatch(const std::string& instance, const Neighbour& neighbour, Carrier& carrier,
                         Stream& stream, const std::string& origin, const std::string& own_instance)
{
    auto batch = NextBatch(instance, neighbour, carrier, origin, own_instance);
    if (batch.items.empty())
        return false;
    const std::string id = "carry-" + std::to_string(++next_iq_);
    offered_.insert(batch.offered.ids.begin(), batch.offered.ids.end());
    carrier.pending.emplace(id, std::move(batch.offered));
    const auto count = batch.items.size();
    stream.Send(MakeCarryRequest(id, std::move(batch.items)), CarryPrefixes());
    // Journal only: a stored log row is a commit, and the handoff record follows anyway.
    log::Debug("link", instance + ": offering " + std::to_string(count) + " message(s)");
    ArmDeadline(carrier, stream);
    return true;
}

// From where this contact's walk through our queue got to; empty when nothing
// is left, or when the next message waits for another carrier's answer.
Handoff::Batch Handoff::NextBatch(const std::string& instance, const Neighbour& neighbour,
                                  Carrier& carrier, const std::string& origin,
                                  const std::string& own_instance)
{
    // Every item costs at least its envelope: read no more than can fit.
    const int page = std::min(config_.batch_items, int(config_.batch_bytes / kItemOverhead) + 1);
    OutboxSigner::Keys keys;
    Batch batch;
    std::size_t bytes = 0;
    bool blocked = false; // at a message another carrier has not answered for yet
    for (bool more = true; more && batch.items.empty() && !blocked;) {
        const auto candidates =
            store_.PendingForCarrier(instance, config_.carriers, page, NowMs(), WalkFrom(carrier));
        more = int(candidates.size()) == page;
        for (const auto& item : candidates) {
            if (offered_.contains(item.id)) {
                blocked = true; // stop before it: we come back once it is answered
                break;
            }
            const bool direct =
                item.to == instance || (!neighbour.jid.empty() && item.to == neighbour.jid);
            if (!direct) {
                // Rough size: the body dominates, a third more once sealed (base64).
                const std::size_t size = item.body.size() * 4 / 3 + item.to.size() + kItemOverhead;
                if (!batch.items.empty() && bytes + size > config_.batch_bytes)
                    break;
                bytes += size;
                if (batch.items.empty()) // where a walk starts again if it goes unanswered
                    batch.offered.before = {item.created, std::string()};
                batch.items.push_back(Wrap(item, origin, own_instance, keys));
                batch.offered.ids.push_back(item.id);
                batch.offered.copies.push_back(batch.items.back().copies);
            } // else it goes to the peer directly instead
            carrier.offered_up_to = {item.created, item.id};
        }
    }
    return batch;
}

// Signed always; sealed when we know the recipient's key, so that the
// carrier can neither read nor change it: as sealed when it was queued,
// unless that seal no longer holds (OutboxSigner).
OutgoingItem Handoff::Wrap(const store::OutboxItem& item, const std::string& origin,
                           const std::string& own_instance, OutboxSigner::Keys& keys)
{
    auto stanza = xmpp::ToStanza(OutboxChat(item, origin));
    xmpp::ApplySeal(stanza, signer_.SealOf(item, origin, keys));
    // Half of what budget is left goes with it (SprayRules); we head its path.
    return {xmpp::Forward(std::move(stanza), item.created),
            item.expires,
            OriginGrant(config_.spray.copies, item.copies_given),
            {own_instance}};
}

void Handoff::ArmDeadline(Carrier& carrier, Stream& stream)
{
    if (!carrier.deadline)
        carrier.deadline = std::make_unique<ReplyDeadline>(io_, store_);
    if (carrier.pending.empty())
        carrier.deadline->Disarm();
    else
        carrier.deadline->Arm(stream, "handoff");
}

bool Handoff::Awaits(const std::string& instance, std::string_view iq_id) const noexcept
{
    const auto it = carriers_.find(instance);
    return it != carriers_.end() && it->second.pending.contains(std::string(iq_id));
}

bool Handoff::Awaiting(const std::string& instance) const noexcept
{
    const auto it = carriers_.find(instance);
    return it != carriers_.end() && !it->second.pending.empty();
}

bool Handoff::TakeReply(const std::string& instance, Stream& stream, const xml::Element& iq,
                        const std::string& origin)
{
    auto& carrier = carriers_[instance];
    const std::string iq_id(iq.Attr("id"));
    std::map<std::string, int> granted; // what each offered message's budget gave
    if (const auto it = carrier.pending.find(iq_id); it != carrier.pending.end())
        for (std::size_t i = 0; i < it->second.ids.size(); ++i)
            granted[it->second.ids[i]] = it->second.copies[i];
    // Answered either way: these messages may go to others again (nothing
    // offers them before the answer is recorded below).
    Release(carrier, iq_id);
    ArmDeadline(carrier, stream);
    const auto answer = ReadCarryAnswer(iq, origin);
    if (iq.Attr("type") == "error") {
        const auto retry = Refuse(instance, carrier, answer);
        LogHandshake(store_, instance, "handoff refused", answer.condition + RetryNote(retry));
        Publish(config_.events, [&] {
            return Event{"refused",
                         0,
                         {{"by", std::string("carrier")},
                          {"peer", instance},
                          {"condition", answer.condition},
                          {"text", std::string()},
                          {"retry", std::int64_t(retry ? (retry->count() + 999) / 1000 : 0)}}};
        });
        return false;
    }
    // Only now, on the carrier's acknowledgement of its durable copy: the
    // budget it took leaves ours in the same transaction. One it held already
    // (handed on by another carrier) took none of our budget.
    std::vector<int> copies;
    for (std::size_t i = 0; i < answer.accepted.size(); ++i) {
        const auto grant = granted.find(answer.accepted[i]);
        copies.push_back(answer.stored[i] && grant != granted.end() ? grant->second : 0);
    }
    const int added = store_.RecordHandoffs(instance, answer.accepted, NowMs(), copies);
    // It will not take these: do not loop on them; those refused for lack of
    // room come round again after a while.
    auto retry = answer.refusal != Refusal::None ? Refuse(instance, carrier, answer) : std::nullopt;
    if (answer.retry_rest) {
        Accepted(carrier, false);
        carrier.rest_waits = true;
        retry = RetryLater(instance, carrier);
    }
    LogHandshake(store_, instance, "handoff",
                 std::to_string(added) + " message(s) now carried" +
                     (answer.refused ? ", " + std::to_string(answer.refused) + " refused" : "") +
                     RetryNote(retry));
    Publish(config_.events, [&] {
        return Event{"handoff",
                     0,
                     {{"carrier", instance},
                      {"count", std::int64_t{added}},
                      {"ids", answer.accepted},
                      {"refused", std::int64_t{answer.refused}}}};
    });
    if (answer.refusal != Refusal::None)
        return false;
    if (!answer.accepted.empty() && !answer.retry_rest)
        Accepted(carrier, true);
    return true;
}

std::optional<std::chrono::milliseconds>
Handoff::Refuse(const std::string& instance, Carrier& carrier, const CarryAnswer& answer)
{
    if (carrier.refused)
        return std::nullopt; // the other request in flight was refused already: one wait for both
    carrier.refused = true;
    if (answer.refusal != Refusal::ForNow)
        return std::nullopt;
    return RetryLater(instance, carrier);
}

std::chrono::milliseconds Handoff::RetryLater(const std::string& instance, Carrier& carrier)
{
    const auto delay =
        RetryDelay(carrier.refused_for_now++, double(crypto::RandomBelow(1000)) / 1000.0);
    if (!carrier.retry_timer)
        carrier.retry_timer = std::make_unique<asio::steady_timer>(io_);
    carrier.retry_timer->expires_after(delay);
    carrier.retry_timer->async_wait(
        [this, alive = alive_.Watch(), instance](boost::system::error_code ec) {
            if (ec || alive.Gone())
                return;
            const auto it = carriers_.find(instance);
            if (it == carriers_.end())
                return;
            it->second.refused = false;
            it->second.rest_waits = false;
            if (it->second.pending.empty())
                it->second.offered_up_to = {}; // what it refused comes round again
            retry_(instance);
        });
    return delay;
}

void Handoff::Accepted(Carrier& carrier, bool all) noexcept
{
    if (all) {
        carrier.refused_for_now = 0;
        // Unless a rest refused before waits for that timer: this walk is
        // past it, and only the timer brings it round again.
        if (carrier.retry_timer && !carrier.rest_waits)
            carrier.retry_timer->cancel();
    }
    if (carrier.refused) {
        // The other request in flight was refused for now, yet this one was
        // taken: there is room again, so what it refused comes round again.
        carrier.refused = false;
        carrier.offered_up_to = {};
    }
}

void Handoff::Release(Carrier& carrier, const std::string& iq_id) noexcept
{
    const auto it = carrier.pending.find(iq_id);
    if (it == carrier.pending.end())
        return;
    for (const auto& origin_id : it->second.ids)
        offered_.erase(origin_id);
    carrier.pending.erase(it);
}

void Handoff::Forgive(const std::string& instance) noexcept
{
    const auto it = carriers_.find(instance);
    if (it == carriers_.end())
        return;
    it->second.refused = false;
    it->second.refused_for_now = 0;
    if (it->second.retry_timer && !it->second.rest_waits) // as in Accepted
        it->second.retry_timer->cancel();
    it->second.offered_up_to = {}; // back: what it refused may go to it again
}

void Handoff::Queued(const store::OutboxItem& item) noexcept
{
    for (auto& [instance, carrier] : carriers_)
        RewindTo(carrier, {item.created, std::string()});
}

void Handoff::Rewind() noexcept
{
    for (auto& [instance, carrier] : carriers_)
        carrier.offered_up_to = {};
}

void Handoff::EndContact(const std::string& instance) noexcept
{
    const auto it = carriers_.find(instance);
    if (it == carriers_.end())
        return;
    auto& carrier = it->second;
    while (!carrier.pending.empty()) { // unanswered: those messages are offered again
        RewindTo(carrier, carrier.pending.begin()->second.before);
        Release(carrier, carrier.pending.begin()->first);
    }
    if (carrier.deadline)
        carrier.deadline->Disarm();
}

void Handoff::Forget(const std::string& instance) noexcept
{
    EndContact(instance);
    carriers_.erase(instance);
}

} // namespace pigeon::link
