#include "uplink/ServerInbox.hxx"

#include "store/Store.hxx"
#include "uplink/KeyDirectory.hxx"
#include "uplink/ServerLink.hxx"
#include "uplink/Uploader.hxx"
#include "util/Log.hxx"
#include "xmpp/Custody.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Namespaces.hxx"

namespace pigeon::uplink {

using inbox::Custody;
using inbox::Outcome;

namespace {

const char* Describe(Custody custody) noexcept
{
    switch (custody) {
    case Custody::Uploaded:
        return "uploaded by";
    case Custody::Reported:
        return "delivered (reported by";
    case Custody::Delivered:
        return "delivered (the recipient's signed receipt) via";
    case Custody::Doubted:
        return "said delivered, but not signed by its recipient, by";
    case Custody::NotOurs:
    case Custody::Nothing:
        break;
    }
    return "reported on by";
}

} // namespace

ServerInbox::ServerInbox(store::Store& store, const crypto::Identity& us, ServerLink& link,
                         KeyDirectory& keys, News news) noexcept
    : store_(store), us_(us), link_(link), keys_(keys), news_(std::move(news)),
      receiver_(store, us, link.Config().events)
{
}

void ServerInbox::Take(const xml::Element& stanza, UnixMs archived)
{
    if (stanza.Attr("type") == "error")
        return; // a bounce: what it returns is retried on its own terms
    if (const auto id = xmpp::ReceiptId(stanza)) {
        TakeReceipt(stanza, *id);
        return;
    }
    if (const auto report = xmpp::FindReport(stanza)) {
        TakeReport(stanza, *report, archived);
        return;
    }
    if (const auto refused = xmpp::RefusedId(stanza)) {
        TakeRefusal(stanza, *refused);
        return;
    }
    if (stanza.Child("carried", xmpp::ns::kPigeon) != nullptr) {
        if (const auto* forwarded = stanza.Child("forwarded", xmpp::ns::kForward)) {
            TakeCarried(stanza, *forwarded);
            return;
        }
    }
    if (stanza.Child("body", xmpp::ns::kClient) == nullptr) {
        // No text: perhaps a sender announcing its key, which our server vouches for.
        if (stanza.Child("key", xmpp::ns::kPigeon) != nullptr)
            keys_.Take(stanza, xmpp::BareOf(stanza.Attr("from")));
        return;
    }
    TakeDirect(stanza);
}

// Our server vouches for the sender.
void ServerInbox::TakeDirect(const xml::Element& stanza)
{
    const auto message = xmpp::ParseChatMessage(stanza);
    if (!message)
        return;
    const std::string from = xmpp::BareOf(message->from);
    const auto received = receiver_.TakeChat(*message, from, store::Authenticity::Server);
    keys_.Take(stanza, from);
    log::Info("uplink", (received.IsNew() ? "received " : "received again ") + received.item.id +
                            " from " + from);
    if (received.receipt_due)
        SendReceipt(message->from, message->id);
}

// A carrier uploaded somebody's message to us: the origin's signature says
// whether it is theirs, once its key is known.
void ServerInbox::TakeCarried(const xml::Element& stanza, const xml::Element& forwarded)
{
    const auto original = xmpp::Unwrap(forwarded);
    if (!original) {
        log::Warning("uplink", "ignoring a malformed carried message from " +
                                   std::string(stanza.Attr("from")));
        return;
    }
    if (xmpp::BareOf(original->message.to) != link_.Config().account) {
        log::Warning("uplink", "ignoring a carried message for " + original->message.to);
        return;
    }
    const std::string origin = xmpp::BareOf(original->message.from);
    const std::string via = xmpp::BareOf(stanza.Attr("from"));
    const auto key = keys_.Known(origin);
    const auto received = receiver_.TakeCarried(forwarded, *original, via, key ? &*key : nullptr,
                                                keys_.Asked(origin));
    const auto& item = received.item;
    if (received.outcome == Outcome::Refused) {
        log::Warning("uplink", "refused " + item.id + " claiming to come from " + origin + " via " +
                                   via + ": " + xmpp::ToString(received.check));
        SendRefusal(origin, item.id, via);
        return;
    }
    log::Info("uplink", (received.IsNew() ? "received " : "received another copy of ") + item.id +
                            " from " + origin + " via " + via + ", " +
                            store::ToString(item.authenticity));
    if (item.authenticity == store::Authenticity::Unverified)
        keys_.Fetch(origin, received.ask_key_again);
    if (received.receipt_due) {
        SendReceipt(origin, item.id, via);
        ReceiptToCarrier(via, origin, item.id);
    }
}

// The carrier that uploaded it learns, with our signature, that it was
// delivered: a tombstone it can prove to other carriers (issue 11).
void ServerInbox::ReceiptToCarrier(const std::string& via, const std::string& origin,
                                   const std::string& id)
{
    if (via.find('@') != std::string::npos) // a carrier's JID, not "direct" or "link-local"
        SendSignedReceipt(via, Uploader::CarriedStanzaId(id), origin, id);
}

void ServerInbox::Settle(const std::string& sender)
{
    const auto key = keys_.Known(sender);
    if (!key)
        return;
    SettleReports(sender, *key);
    for (const auto& settled : receiver_.Settle(sender, *key)) {
        const std::string& id = settled.item.id;
        if (settled.outcome == Outcome::Dropped) {
            log::Warning("uplink", "dropped " + id + " claiming to come from " + sender +
                                       ": no carried copy bears its signature");
            SendRefusal(sender, id, "carriers");
            continue;
        }
        log::Info("uplink", id + " from " + sender + " verified");
        if (settled.receipt_due) {
            SendReceipt(sender, id, settled.item.via);
            ReceiptToCarrier(settled.item.via, sender, id);
        }
    }
}

void ServerInbox::SettleReports(const std::string& recipient, const crypto::PublicKey& key)
{
    for (const auto& [id, custody] :
         receiver_.SettleReports(recipient, key, link_.Config().account))
        if (custody == Custody::Delivered)
            log::Info("uplink", id + " delivered to " + recipient + ", as a carrier reported");
        else
            log::Warning("uplink", "a carrier reported " + id + " delivered to " + recipient +
                                       ", which did not sign that: waiting for its receipt");
}

void ServerInbox::TakeReceipt(const xml::Element& stanza, const std::string& id)
{
    const std::string from = xmpp::BareOf(stanza.Attr("from"));
    if (const auto carried = Uploader::CarriedIdOf(id)) {
        RelayReceipt(stanza, from, *carried);
        return;
    }
    const auto* via = stanza.Child("via", xmpp::ns::kPigeon);
    const auto delivery =
        receiver_.TakeReceipt(id, from, via != nullptr ? xmpp::BareOf(via->Attr("carrier")) : "");
    if (delivery == inbox::Delivery::NotOurs)
        return;               // not ours, or not from its recipient
    keys_.Take(stanza, from); // to seal what we send it through carriers
    if (delivery != inbox::Delivery::Delivered)
        return;
    log::Info("uplink", id + " delivered to " + from);
    // Carriers that still hold it learn it from us too, with the proof.
    const auto key = keys_.Known(from);
    const auto mine = store_.OutboxById(id);
    const std::string signature = stanza.ChildText("signature", xmpp::ns::kPigeon);
    if (key && mine && !signature.empty() &&
        xmpp::CheckReceipt(*key, from, link_.Config().account, id, signature)) {
        store_.AddTombstone({link_.Config().account, id, from, mine->expires, signature, true, 0,
                             mine->delivered_via, mine->delivered_hops},
                            NowMs());
        if (const auto& told = link_.Config().on_tombstone)
            told();
    }
}

void ServerInbox::RelayReceipt(const xml::Element& stanza, const std::string& recipient,
                               const std::string& origin_id)
{
    const auto origin = store_.CarriedOrigin(origin_id, recipient);
    if (!origin)
        return;
    // A pigeon recipient signs: kept when its key (riding on the receipt,
    // vouched for by our server) bears it out, as proof for others.
    keys_.Take(stanza, recipient);
    const auto* signature = stanza.Child("signature", xmpp::ns::kPigeon);
    // Delivered by us: the hops were counted when our upload was accepted.
    store::Tombstone tombstone{*origin,
                               origin_id,
                               recipient,
                               0,
                               signature != nullptr ? signature->Text() : std::string(),
                               false,
                               0,
                               link_.Config().account};
    tombstone.verified = !tombstone.receipt.empty() && [&] {
        const auto key = keys_.Known(recipient);
        return key && xmpp::CheckReceipt(*key, recipient, *origin, origin_id, tombstone.receipt);
    }();
    if (!tombstone.verified)
        tombstone.receipt.clear();
    if (!store_.MarkCarriedDelivered(*origin, origin_id, NowMs(), tombstone.receipt, false))
        return;
    log::Info("uplink",
              recipient + " acknowledged " + origin_id + ", which we uploaded for " + *origin);
    if (tombstone.verified) {
        tombstone.until = store_.CarriedExpiry(*origin, origin_id).value_or(0);
        store_.AddTombstone(tombstone, NowMs());
        if (const auto& told = link_.Config().on_tombstone)
            told();
    }
    news_(recipient);
}

void ServerInbox::TakeReport(const xml::Element& stanza, const xmpp::CustodyReport& report,
                             UnixMs archived)
{
    const std::string carrier = xmpp::BareOf(stanza.Attr("from"));
    if (report.carrier != carrier) {
        log::Warning("uplink", carrier + " sent a report in the name of " + report.carrier);
        return;
    }
    keys_.Take(stanza, carrier); // the key our server vouches for rides on it
    const auto key = keys_.Known(carrier);
    if (!key || !xmpp::Check(report, *key)) {
        log::Warning("uplink", "ignoring a report on " + report.id + " that the key of " + carrier +
                                   " does not bear out");
        return;
    }
    const auto custody = receiver_.TakeReport(report, link_.Config().account, true,
                                              archived != 0 ? archived : NowMs());
    if (custody == Custody::NotOurs || custody == Custody::Nothing)
        return;
    log::Write(custody == Custody::Doubted ? log::Level::Warning : log::Level::Info, "uplink",
               report.id + " to " + report.to + " " + Describe(custody) + " " + carrier +
                   (custody == Custody::Reported ? ")" : ""),
               log::Site::Here());
    news_(report.to);
}

void ServerInbox::TakeRefusal(const xml::Element& stanza, const std::string& id)
{
    const std::string from = xmpp::BareOf(stanza.Attr("from"));
    if (!receiver_.TakeRefusal(id, from))
        return;
    const auto via = stanza.Child("refused", xmpp::ns::kPigeonCustody)->Attr("via");
    log::Warning("uplink", from + " refused the copy of " + id + " that " + std::string(via) +
                               " brought: we send it ourselves");
    news_(from);
}

void ServerInbox::SendRefusal(const std::string& origin, const std::string& id,
                              const std::string& via)
{
    xml::Element message("message", std::string(xmpp::ns::kClient));
    message.SetAttr("to", origin);
    message.SetAttr("id", "refused-" + id);
    message.AddChild(xmpp::RefusalElement(id, via));
    // The origin is often away: kept offline and in its archive (XEP-0334).
    message.AddChild(xml::Element("store", std::string(xmpp::ns::kHints)));
    link_.Send(std::move(message));
}

void ServerInbox::SendReceipt(const std::string& to, const std::string& id,
                              const std::string& carrier)
{
    SendSignedReceipt(to, id, xmpp::BareOf(to), id, carrier);
}

void ServerInbox::SendSignedReceipt(const std::string& to, const std::string& receipt_id,
                                    const std::string& origin, const std::string& id,
                                    const std::string& carrier)
{
    auto receipt = xmpp::MakeReceipt(to, receipt_id);
    // Which carrier brought it, for the origin's outbox (not signed: shown, not trusted).
    if (carrier.find('@') != std::string::npos)
        receipt.AddChild(xml::Element("via", std::string(xmpp::ns::kPigeon)))
            .SetAttr("carrier", carrier);
    // Proof that we have it, for a carrier to pass on but not to make.
    receipt.AddChild(xml::Element("signature", std::string(xmpp::ns::kPigeon)))
        .AddText(xmpp::SignReceipt(us_, link_.Config().account, origin, id));
    keys_.Attach(receipt);
    // The origin is often offline: ask the server to keep it (XEP-0334).
    receipt.AddChild(xml::Element("store", std::string(xmpp::ns::kHints)));
    link_.Send(std::move(receipt));
}

} // namespace pigeon::uplink
