#include "uplink/ServerInbox.hxx"

#include "uplink/KeyDirectory.hxx"
#include "uplink/ServerLink.hxx"
#include "util/Log.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Namespaces.hxx"

namespace pigeon::uplink {

using inbox::Outcome;

ServerInbox::ServerInbox(store::Store& store, const crypto::Identity& us, ServerLink& link,
                         KeyDirectory& keys) noexcept
    : link_(link), keys_(keys), receiver_(store, us, link.Config().events)
{
}

void ServerInbox::Take(const xml::Element& stanza)
{
    if (const auto id = xmpp::ReceiptId(stanza)) {
        TakeReceipt(stanza, *id);
        return;
    }
    if (stanza.Child("carried", xmpp::ns::kPigeon) != nullptr) {
        if (const auto* forwarded = stanza.Child("forwarded", xmpp::ns::kForward)) {
            TakeCarried(stanza, *forwarded);
            return;
        }
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
        return;
    }
    log::Info("uplink", (received.IsNew() ? "received " : "received another copy of ") + item.id +
                            " from " + origin + " via " + via + ", " +
                            store::ToString(item.authenticity));
    if (item.authenticity == store::Authenticity::Unverified)
        keys_.Fetch(origin, received.ask_key_again);
    if (received.receipt_due)
        SendReceipt(origin, item.id);
}

void ServerInbox::Settle(const std::string& sender)
{
    const auto key = keys_.Known(sender);
    if (!key)
        return;
    for (const auto& settled : receiver_.Settle(sender, *key)) {
        const std::string& id = settled.item.id;
        if (settled.outcome == Outcome::Dropped) {
            log::Warning("uplink", "dropped " + id + " claiming to come from " + sender +
                                       ": no carried copy bears its signature");
            continue;
        }
        log::Info("uplink", id + " from " + sender + " verified");
        if (settled.receipt_due)
            SendReceipt(sender, id);
    }
}

void ServerInbox::TakeReceipt(const xml::Element& stanza, const std::string& id)
{
    const std::string from = xmpp::BareOf(stanza.Attr("from"));
    const auto delivery = receiver_.TakeReceipt(id, from);
    if (delivery == inbox::Delivery::NotOurs)
        return;               // not ours, or not from its recipient
    keys_.Take(stanza, from); // to seal what we send it through carriers
    if (delivery == inbox::Delivery::Delivered)
        log::Info("uplink", id + " delivered to " + from);
}

void ServerInbox::SendReceipt(const std::string& to, const std::string& id)
{
    auto receipt = xmpp::MakeReceipt(to, id);
    keys_.Attach(receipt);
    // The origin is often offline: ask the server to keep it (XEP-0334).
    receipt.AddChild(xml::Element("store", std::string(xmpp::ns::kHints)));
    link_.Send(std::move(receipt));
}

} // namespace pigeon::uplink
