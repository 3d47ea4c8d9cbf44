// Uplink, receiving side: what the server hands us.

#include "uplink/Uplink.hxx"

#include "crypto/Random.hxx"
#include "store/Store.hxx"
#include "util/Log.hxx"
#include "xml/Serializer.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"

namespace pigeon::uplink {

void Uplink::OnStanza(const xml::Element& stanza) noexcept
{
    try {
        if (stanza.name == "message") {
            HandleMessage(stanza);
        } else if (stanza.name == "presence" && stanza.Attr("type") == "subscribe") {
            // Whoever asks may see our presence: we are a messaging agent.
            xml::Element reply("presence", std::string(xmpp::ns::kClient));
            reply.SetAttr("to", std::string(stanza.Attr("from")));
            reply.SetAttr("type", "subscribed");
            session_->Send(std::move(reply));
        } else if (stanza.name == "presence" && stanza.Attr("type").empty()) {
            LearnKeyOf(xmpp::BareOf(stanza.Attr("from")));
        } else if (stanza.name == "iq" && stanza.Attr("type") == "set" &&
                   stanza.Child("query", "jabber:iq:roster") != nullptr) {
            HandleRosterPush(stanza);
        } else if (stanza.name == "iq" &&
                   (stanza.Attr("type") == "get" || stanza.Attr("type") == "set")) {
            session_->Send(xmpp::MakeIqError(stanza, "cancel", "service-unavailable"));
        }
    } catch (const std::exception& e) {
        log::Error("uplink", std::string("handling a stanza: ") + e.what());
    }
}

void Uplink::HandleMessage(const xml::Element& stanza)
{
    if (const auto id = xmpp::ReceiptId(stanza)) {
        HandleReceipt(stanza, *id);
        return;
    }
    if (stanza.Child("carried", xmpp::ns::kPigeon) != nullptr) {
        if (const auto* forwarded = stanza.Child("forwarded", xmpp::ns::kForward)) {
            HandleCarried(stanza, *forwarded);
            return;
        }
    }
    const auto message = xmpp::ParseChatMessage(stanza);
    if (!message)
        return;
    const UnixMs now = NowMs();
    const bool had_id = !message->id.empty();
    store::InboxItem item{had_id ? message->id : crypto::NewOriginId(),
                          xmpp::BareOf(message->from),
                          message->body,
                          message->sent != 0 ? message->sent : now,
                          now,
                          "direct"};
    bool fresh = store_.AddReceived(item);
    // Our server vouches for this copy: it settles a carried one we could not check.
    if (!fresh && store_.ReceivedAuthenticity(item.from, item.id) == store::Authenticity::Unverified) {
        store_.Settle(item.from, item.id, &item, 0);
        fresh = true;
    }
    TakeKey(stanza, item.from);
    log::Info("uplink", (fresh ? "received " : "received again ") + item.id + " from " + item.from);
    if (message->request_receipt && had_id)
        SendReceipt(message->from, message->id);
}

// A carrier uploaded somebody's message to us. Kept as from the origin, with
// the original send time, once, if the origin's signature says so; kept as
// unverified until the origin's key is known; refused if the signature fails.
void Uplink::HandleCarried(const xml::Element& stanza, const xml::Element& forwarded)
{
    const auto original = xmpp::Unwrap(forwarded);
    if (!original) {
        log::Warning("uplink", "ignoring a malformed carried message from " +
                                   std::string(stanza.Attr("from")));
        return;
    }
    if (xmpp::BareOf(original->message.to) != config_.account) {
        log::Warning("uplink", "ignoring a carried message for " + original->message.to);
        return;
    }
    const std::string origin = xmpp::BareOf(original->message.from);
    const auto key = KnownKey(origin);
    auto carried = CheckCarried(*original, key ? &*key : nullptr);
    carried.item.via = xmpp::BareOf(stanza.Attr("from"));
    const auto& item = carried.item;
    using xmpp::Authenticity;
    switch (carried.authenticity) {
    case Authenticity::Signed:
        AcceptGenuine(carried);
        return;
    case Authenticity::Forged:
        // Perhaps the origin has a new key: ask its server before judging.
        if (key && !keys_asked_.contains(origin))
            break;
        [[fallthrough]];
    case Authenticity::Unsigned:
        store_.CountForged(1);
        log::Warning("uplink", "refused " + item.id + " claiming to come from " + origin + " via " +
                                   item.via + ": " + xmpp::ToString(carried.authenticity));
        return;
    case Authenticity::Unverified:
        break;
    }
    carried.item.authenticity = store::Authenticity::Unverified;
    const bool fresh = store_.AddUnverified(
        carried.item, {item.id, item.via, xml::Serialize(forwarded), item.received});
    log::Info("uplink", (fresh ? "received " : "received another copy of ") + item.id + " from " +
                            origin + " via " + item.via + ", unverified");
    FetchKey(origin, carried.authenticity == Authenticity::Forged);
}

Uplink::CarriedCheck Uplink::CheckCarried(const xmpp::Unwrapped& original,
                                          const crypto::PublicKey* key) const
{
    const auto& m = original.message;
    auto checked = xmpp::Check(*original.stanza, m, key, identity_);
    CarriedCheck result{{m.id,
                         xmpp::BareOf(m.from),
                         std::move(checked.body),
                         m.sent,
                         NowMs(),
                         {},
                         checked.authenticity == xmpp::Authenticity::Signed
                             ? store::Authenticity::Signed
                             : store::Authenticity::Unverified},
                        checked.authenticity,
                        m.request_receipt};
    return result;
}

void Uplink::AcceptGenuine(const CarriedCheck& carried)
{
    const auto& item = carried.item;
    bool fresh = store_.AddReceived(item);
    if (!fresh && store_.ReceivedAuthenticity(item.from, item.id) == store::Authenticity::Unverified) {
        store_.Settle(item.from, item.id, &item, 0);
        fresh = true;
    }
    log::Info("uplink", (fresh ? "received " : "received another copy of ") + item.id + " from " +
                            item.from + " via " + item.via + ", " + store::ToString(item.authenticity));
    if (carried.request_receipt)
        SendReceipt(item.from, item.id);
}

void Uplink::HandleReceipt(const xml::Element& stanza, const std::string& id)
{
    const auto found = store_.OutboxById(id);
    if (!found || xmpp::BareOf(stanza.Attr("from")) != xmpp::BareOf(found->to))
        return;                               // not ours, or not from its recipient
    TakeKey(stanza, xmpp::BareOf(found->to)); // to seal what we send it through carriers
    // Nothing reached the server from us: a carrier must have brought it.
    const bool via_carrier = found->state == store::OutboxState::Queued && !found->carriers.empty();
    if (store_.MarkDelivered(id, NowMs(), via_carrier))
        log::Info("uplink", id + " delivered to " + found->to);
}

void Uplink::SendReceipt(const std::string& to, const std::string& id)
{
    auto receipt = xmpp::MakeReceipt(to, id);
    AttachKey(receipt);
    // The origin is often offline: ask the server to keep it (XEP-0334).
    receipt.AddChild(xml::Element("store", "urn:xmpp:hints"));
    session_->Send(std::move(receipt));
}

} // namespace pigeon::uplink
