// LinkManager, second half: what moves over an open stream. Our messages go
// to carriers in batches and straight to recipients who are neighbours;
// what others hand us is committed before it is acknowledged.

#include "link/LinkManager.hxx"

#include "crypto/Random.hxx"
#include "link/CarryProtocol.hxx"
#include "link/OutboxChat.hxx"
#include "store/Store.hxx"
#include "util/Log.hxx"
#include "xml/Serializer.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Protection.hxx"

#include <algorithm>
#include <map>

namespace pigeon::link {
namespace asio = boost::asio;

namespace {

constexpr auto kReplyTimeout = std::chrono::seconds(30);
// What a handed-over item adds to its body: the forwarded message around it,
// the signature, and when sealed the notice and the seal's own bytes.
constexpr std::size_t kItemOverhead = 800;
constexpr std::size_t kBatchesInFlight = 2;

} // namespace

// Signed always; sealed when we know the recipient's key, so that the
// carrier can neither read nor change it.
xml::Element LinkManager::Protected(const xmpp::ChatMessage& message,
                                    const std::optional<crypto::PublicKey>& recipient_key) const
{
    auto stanza = xmpp::ToStanza(message);
    xmpp::Protect(stanza, message, *config_.identity, recipient_key ? &*recipient_key : nullptr);
    return stanza;
}

std::optional<crypto::PublicKey> LinkManager::RecipientKey(const std::string& jid)
{
    const auto text = store_.Key(jid);
    return text ? crypto::ParsePublicKey(*text) : std::nullopt;
}

void LinkManager::Pump(const std::string& instance)
{
    auto& peer = peers_[instance];
    if (!peer.stream || !peer.stream->IsOpen())
        return;
    const auto& neighbour = neighbours_.Record(instance);
    direct_.Deliver(instance, neighbour, *peer.stream, OriginJid());
    // Two batches in flight: the carrier commits one while the next is on its way.
    while (neighbour.carrier && !peer.refused && peer.pending_iqs.size() < kBatchesInFlight &&
           OfferBatch(instance, neighbour, peer)) {
    }
}

bool LinkManager::OfferBatch(const std::string& instance, const Neighbour& neighbour, Peer& peer)
{
    if (peer.offered_on.lock() != peer.stream) { // a new contact walks the queue afresh
        peer.offered_on = peer.stream;
        peer.offered_up_to = {};
    }
    // Every item costs at least its envelope: read no more than can fit.
    const int page = std::min(config_.batch_items, int(config_.batch_bytes / kItemOverhead) + 1);
    const std::string origin = OriginJid();
    std::map<std::string, std::optional<crypto::PublicKey>> recipient_keys;
    std::vector<OutgoingItem> items;
    std::vector<std::string> ids;
    std::size_t bytes = 0;
    bool blocked = false; // at a message another carrier has not answered for yet
    for (bool more = true; more && items.empty() && !blocked;) {
        const auto candidates =
            store_.PendingForCarrier(instance, config_.carriers, page, peer.offered_up_to);
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
                if (!items.empty() && bytes + size > config_.batch_bytes)
                    break;
                bytes += size;
                auto [known, added] = recipient_keys.try_emplace(item.to);
                if (added)
                    known->second = RecipientKey(xmpp::BareOf(item.to));
                items.push_back({xmpp::Forward(Protected(OutboxChat(item, origin), known->second),
                                               item.created),
                                 item.created + config_.ttl});
                ids.push_back(item.id);
            } // else it goes to the peer directly instead
            peer.offered_up_to = {item.created, item.id};
        }
    }
    if (items.empty())
        return false;
    const std::string id = "carry-" + std::to_string(++next_iq_);
    offered_.insert(ids.begin(), ids.end());
    peer.pending_iqs.emplace(id, std::move(ids));
    peer.stream->Send(MakeCarryRequest(id, items));
    // Journal only: a stored log row is a commit, and the handoff record follows anyway.
    log::Debug("link", instance + ": offering " + std::to_string(items.size()) + " message(s)");
    ArmReplyTimer(peer);
    return true;
}

// A carrier that stops answering for that long is cut off.
void LinkManager::ArmReplyTimer(Peer& peer)
{
    if (!peer.timer)
        peer.timer = std::make_unique<asio::steady_timer>(io_);
    if (peer.pending_iqs.empty()) {
        peer.timer->cancel();
        return;
    }
    peer.timer->expires_after(kReplyTimeout);
    std::weak_ptr<Stream> weak = peer.stream;
    peer.timer->async_wait([this, weak](boost::system::error_code ec) {
        if (ec || stopping_)
            return;
        if (auto stream = weak.lock(); stream && stream->IsOpen()) {
            Log(stream->PeerInstance(), "timeout", "no answer to our handoff");
            stream->Close("connection-timeout");
        }
    });
}

void LinkManager::Release(Peer& peer, const std::string& iq_id)
{
    const auto it = peer.pending_iqs.find(iq_id);
    if (it == peer.pending_iqs.end())
        return;
    for (const auto& origin_id : it->second)
        offered_.erase(origin_id);
    peer.pending_iqs.erase(it);
}

void LinkManager::PumpOthers(const std::string& instance)
{
    std::vector<std::string> others;
    for (const auto& [name, peer] : peers_)
        if (const auto* neighbour = neighbours_.Find(name);
            name != instance && neighbour != nullptr && neighbour->carrier && !peer.refused &&
            peer.stream && peer.stream->IsOpen() && peer.pending_iqs.size() < kBatchesInFlight)
            others.push_back(name);
    for (const auto& name : others) // Pump may close streams: look each up again
        if (peers_.contains(name))
            Pump(name);
}

void LinkManager::HandleCarryReply(const std::string& instance, Peer& peer, const xml::Element& iq)
{
    // Answered either way: these messages may go to others again (nothing
    // offers them before the answer is recorded below).
    Release(peer, std::string(iq.Attr("id")));
    ArmReplyTimer(peer);
    if (iq.Attr("type") == "error") {
        const auto condition = xmpp::ErrorCondition(iq);
        peer.refused = true;
        Log(instance, "handoff refused", condition);
        PumpOthers(instance);
        return;
    }
    std::vector<std::string> accepted;
    int refused = 0;
    const std::string origin = OriginJid();
    for (const auto& status : ParseCarryResult(iq)) {
        if (status.origin != origin)
            continue; // not ours to record
        if (status.status == "stored" || status.status == "duplicate")
            accepted.push_back(status.origin_id);
        else
            ++refused;
    }
    // Only now, on the carrier's acknowledgement of its durable copy.
    const int added = store_.RecordHandoffs(instance, accepted, NowMs());
    Log(instance, "handoff",
        std::to_string(added) + " message(s) now carried" +
            (refused ? ", " + std::to_string(refused) + " refused" : ""));
    if (refused > 0 && accepted.empty())
        peer.refused = true; // it will not take these: do not loop on them
    else
        Pump(instance);
    PumpOthers(instance);
}

// A chat message from a neighbour, pigeon or plain XEP-0174 client.
void LinkManager::HandleChat(Stream& stream, const xml::Element& stanza)
{
    auto message = xmpp::ParseChatMessage(stanza);
    if (!message)
        return; // chat states, typing notifications and the like
    const std::string instance = stream.PeerInstance();
    // The stream's identity is the sender, whatever the stanza says (XEP-0174);
    // a pigeon peer's advertised account stands for it.
    const auto* neighbour = neighbours_.Find(instance);
    const std::string from =
        (neighbour != nullptr && !neighbour->jid.empty()) ? neighbour->jid : instance;
    const UnixMs now = NowMs();
    const bool had_id = !message->id.empty();
    store::InboxItem item{had_id ? message->id : crypto::NewOriginId(),
                          from,
                          message->body,
                          message->sent != 0 ? message->sent : now,
                          now,
                          "link-local",
                          store::Authenticity::LinkLocal};
    const bool fresh = store_.AddReceived(item);
    Log(instance, fresh ? "received" : "received again", item.id);
    if (message->request_receipt && had_id)
        stream.Send(xmpp::MakeReceipt(instance, message->id));
}

} // namespace pigeon::link
