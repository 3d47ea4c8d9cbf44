#include "inbox/Receiver.hxx"

#include "crypto/Random.hxx"
#include "store/Store.hxx"
#include "util/EventBus.hxx"
#include "xml/Serializer.hxx"
#include "xmpp/Jid.hxx"

#include <map>
#include <stdexcept>

namespace pigeon::inbox {
namespace {

// How a message that its sender handed us itself came.
const char* ViaOf(store::Authenticity authenticity)
{
    switch (authenticity) {
    case store::Authenticity::Server:
        return "direct";
    case store::Authenticity::LinkLocal:
        return "link-local";
    case store::Authenticity::Signed:
    case store::Authenticity::Unverified:
        break;
    }
    throw std::invalid_argument("a chat message comes from our server or a neighbour's stream");
}

} // namespace

Receiver::Receiver(store::Store& store, const crypto::Identity& us, EventBus* events) noexcept
    : store_(store), us_(us), events_(events)
{
}

void Receiver::Publish(const Received& received) noexcept
{
    const char* kind = nullptr;
    switch (received.outcome) {
    case Outcome::Fresh:
    case Outcome::Held:
        kind = "received";
        break;
    case Outcome::Settled:
        kind = "verified";
        break;
    case Outcome::Refused:
        kind = "forged";
        break;
    case Outcome::Dropped:
        kind = "dropped";
        break;
    case Outcome::HeldAgain:
    case Outcome::Duplicate:
        return; // nothing new
    }
    pigeon::Publish(events_, [&] {
        const auto& item = received.item;
        return Event{kind,
                     0,
                     {{"from", item.from},
                      {"id", item.id},
                      {"via", item.via},
                      {"authenticity", store::ToString(item.authenticity)}}};
    });
}

Received Receiver::TakeChat(const xmpp::ChatMessage& message, const std::string& from,
                            store::Authenticity authenticity)
{
    const UnixMs now = NowMs();
    const bool had_id = !message.id.empty();
    store::InboxItem item{had_id ? message.id : crypto::NewOriginId(),
                          from,
                          message.body,
                          message.sent != 0 ? message.sent : now,
                          now,
                          ViaOf(authenticity),
                          authenticity};
    Received received{Keep(item), std::move(item), message.request_receipt && had_id};
    Publish(received);
    return received;
}

Received Receiver::TakeCarried(const xml::Element& forwarded, const xmpp::Unwrapped& original,
                               const std::string& via, const crypto::PublicKey* key, bool asked)
{
    auto verdict = JudgeCarried(original, key, asked, us_);
    Received received{Outcome::Refused, std::move(verdict.item), false, verdict.check,
                      verdict.ask_again};
    auto& item = received.item;
    item.via = via;
    item.received = NowMs();
    switch (verdict.action) {
    case Action::Keep:
        received.outcome = Keep(item);
        received.receipt_due = verdict.request_receipt;
        break;
    case Action::Hold:
        received.outcome =
            store_.AddUnverified(item, {item.id, via, xml::Serialize(forwarded), item.received})
                ? Outcome::Held
                : Outcome::HeldAgain;
        break;
    case Action::Refuse:
        store_.CountForged(1);
        break;
    }
    Publish(received);
    return received;
}

std::vector<Received> Receiver::Settle(const std::string& sender, const crypto::PublicKey& key)
{
    std::map<std::string, std::vector<store::UnverifiedCopy>> by_id;
    for (auto& copy : store_.UnverifiedFrom(sender))
        by_id[copy.id].push_back(std::move(copy));
    std::vector<Received> settled;
    for (const auto& [id, copies] : by_id) {
        auto settlement = SettleCopies(copies, key, us_);
        store_.Settle(sender, id, settlement.genuine ? &*settlement.genuine : nullptr,
                      settlement.forged);
        Received received;
        if (settlement.genuine) {
            received = {Outcome::Settled, std::move(*settlement.genuine),
                        settlement.request_receipt, xmpp::Authenticity::Signed};
        } else {
            received.outcome = Outcome::Dropped;
            received.item.id = id;
            received.item.from = sender;
            received.check = xmpp::Authenticity::Forged;
        }
        Publish(received);
        settled.push_back(std::move(received));
    }
    return settled;
}

Outcome Receiver::Keep(const store::InboxItem& item)
{
    if (store_.AddReceived(item))
        return Outcome::Fresh;
    if (!Settles(item.authenticity) ||
        store_.ReceivedAuthenticity(item.from, item.id) != store::Authenticity::Unverified)
        return Outcome::Duplicate;
    store_.Settle(item.from, item.id, &item, 0);
    return Outcome::Settled;
}

Delivery Receiver::TakeReceipt(const std::string& id, const std::string& from)
{
    const auto found = store_.OutboxById(id);
    if (!found || from != xmpp::BareOf(found->to))
        return Delivery::NotOurs;
    // Nothing reached the server from us: a carrier must have brought it.
    const bool via_carrier = found->state == store::OutboxState::Queued && !found->carriers.empty();
    if (!store_.MarkDelivered(id, NowMs(), via_carrier))
        return Delivery::Again;
    pigeon::Publish(events_, [&] {
        return Event{"delivered",
                     0,
                     {{"id", id},
                      {"by", from},
                      {"route", std::string(via_carrier ? "carriers" : "direct")}}};
    });
    return Delivery::Delivered;
}

} // namespace pigeon::inbox
