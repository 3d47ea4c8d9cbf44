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

// Nothing reached the server from us: a carrier must have brought it.
bool ViaCarrier(const store::OutboxItem& item) noexcept
{
    return item.sent == 0 && (!item.carriers.empty() || !item.reported_by.empty());
}

std::optional<crypto::PublicKey> KeyOf(store::Store& store, const std::string& jid)
{
    const auto text = store.Key(jid);
    return text ? crypto::ParsePublicKey(*text) : std::nullopt;
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

Delivery Receiver::TakeReceipt(const std::string& id, const std::string& from,
                               const std::string& carrier)
{
    const auto found = store_.OutboxById(id);
    if (!found || from != xmpp::BareOf(found->to))
        return Delivery::NotOurs;
    const bool via_carrier = ViaCarrier(*found);
    const store::DeliveryPath path = !via_carrier      ? store::DeliveryPath{"direct", 0}
                                     : carrier.empty() ? store::DeliveryPath{found->reported_by, 1}
                                                       : store::DeliveryPath{carrier, 1};
    if (!store_.MarkDelivered(id, NowMs(), via_carrier, path))
        return Delivery::Again;
    PublishDelivered(id, from, via_carrier);
    return Delivery::Delivered;
}

Delivery Receiver::TakeTombstone(const store::Tombstone& tombstone, const std::string& origin)
{
    const auto found = tombstone.verified && tombstone.origin == origin
                           ? store_.OutboxById(tombstone.id)
                           : std::nullopt;
    if (!found || xmpp::BareOf(found->to) != tombstone.to)
        return Delivery::NotOurs;
    const bool via_carrier = tombstone.hops > 0 || ViaCarrier(*found);
    if (!store_.MarkDelivered(tombstone.id, NowMs(), via_carrier, {tombstone.via, tombstone.hops}))
        return Delivery::Again;
    PublishDelivered(tombstone.id, tombstone.to, via_carrier);
    return Delivery::Delivered;
}

Custody Receiver::TakeReport(const xmpp::CustodyReport& report, const std::string& origin,
                             bool vouched, UnixMs when)
{
    const auto found = store_.OutboxById(report.id);
    if (report.origin != origin || !found || xmpp::BareOf(found->to) != report.to)
        return Custody::NotOurs;
    bool doubted = false;
    if (report.status == xmpp::kDelivered) {
        const auto key = KeyOf(store_, report.to);
        if (key && !report.receipt.empty() &&
            xmpp::CheckReceipt(*key, report.to, origin, report.id, report.receipt)) {
            const bool via_carrier = ViaCarrier(*found);
            if (!store_.MarkDelivered(report.id, NowMs(), via_carrier, {report.carrier, 1}))
                return Custody::Nothing;
            PublishDelivered(report.id, report.to, via_carrier);
            return Custody::Delivered;
        }
        // A recipient whose key we know signs its receipts: without its
        // signature, this is at most on its way. Without its key we cannot
        // tell (a client that knows no pigeon signs nothing): our server
        // vouches for the carrier, or the signature is checked later.
        if (!key && (vouched || !report.receipt.empty())) {
            if (!store_.MarkReportedDelivered(report.id, report.carrier, when, report.receipt))
                return Custody::Nothing;
            PublishCustody(report, store::OutboxState::ReportedDelivered);
            return Custody::Reported;
        }
        doubted = true;
    }
    if (store_.MarkCarrierUploaded(report.id, report.carrier, when)) {
        PublishCustody(report, store::OutboxState::UploadedByCarrier);
        return doubted ? Custody::Doubted : Custody::Uploaded;
    }
    return doubted ? Custody::Doubted : Custody::Nothing;
}

bool Receiver::TakeRefusal(const std::string& id, const std::string& from)
{
    const auto found = store_.OutboxById(id);
    return found && xmpp::BareOf(found->to) == from && store_.MarkRefusedByRecipient(id, NowMs());
}

std::vector<std::pair<std::string, Custody>> Receiver::SettleReports(const std::string& recipient,
                                                                     const crypto::PublicKey& key,
                                                                     const std::string& origin)
{
    std::vector<std::pair<std::string, Custody>> settled;
    for (const auto& [item, report] : store_.PendingReports()) {
        if (xmpp::BareOf(item.to) != recipient)
            continue;
        if (!report.receipt.empty() &&
            xmpp::CheckReceipt(key, recipient, origin, report.id, report.receipt)) {
            const bool via_carrier = ViaCarrier(item);
            if (store_.MarkDelivered(report.id, NowMs(), via_carrier, {item.reported_by, 1}))
                PublishDelivered(report.id, recipient, via_carrier);
            settled.emplace_back(report.id, Custody::Delivered);
        } else {
            store_.RevertReport(report.id);
            settled.emplace_back(report.id, Custody::Doubted);
        }
    }
    return settled;
}

void Receiver::PublishDelivered(const std::string& id, const std::string& by,
                                bool via_carrier) noexcept
{
    pigeon::Publish(events_, [&] {
        return Event{
            "delivered",
            0,
            {{"id", id}, {"by", by}, {"route", std::string(via_carrier ? "carriers" : "direct")}}};
    });
}

void Receiver::PublishCustody(const xmpp::CustodyReport& report, store::OutboxState state) noexcept
{
    pigeon::Publish(events_, [&] {
        return Event{"custody",
                     0,
                     {{"id", report.id},
                      {"to", report.to},
                      {"carrier", report.carrier},
                      {"state", std::string(store::ToString(state))}}};
    });
}

} // namespace pigeon::inbox
