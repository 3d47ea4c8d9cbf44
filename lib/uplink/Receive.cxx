// Uplink, receiving side: what the server hands us.

#include "uplink/Uplink.hxx"

#include "crypto/Random.hxx"
#include "store/Store.hxx"
#include "util/Log.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"

namespace pigeon::uplink {
namespace {

std::string Bare(std::string_view jid)
{
    const auto parsed = xmpp::Jid::TryParse(jid);
    return parsed ? parsed->Bare().ToString() : std::string(jid);
}

} // namespace

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
    store::InboxItem item{had_id ? message->id : crypto::NewOriginId(), Bare(message->from),
                          message->body, message->sent != 0 ? message->sent : now, now, "direct"};
    const bool fresh = store_.AddReceived(item);
    log::Info("uplink", (fresh ? "received " : "received again ") + item.id + " from " + item.from);
    if (message->request_receipt && had_id)
        SendReceipt(message->from, message->id);
}

// A carrier uploaded somebody's message to us: keep it as from the origin,
// with the original send time, once, and tell the origin it arrived.
void Uplink::HandleCarried(const xml::Element& stanza, const xml::Element& forwarded)
{
    const auto original = xmpp::Unwrap(forwarded);
    if (!original) {
        log::Warning("uplink", "ignoring a malformed carried message from " +
                                   std::string(stanza.Attr("from")));
        return;
    }
    const auto& m = original->message;
    if (Bare(m.to) != config_.account) {
        log::Warning("uplink", "ignoring a carried message for " + m.to);
        return;
    }
    const std::string origin = Bare(m.from);
    store::InboxItem item{m.id, origin, m.body, m.sent, NowMs(), Bare(stanza.Attr("from"))};
    const bool fresh = store_.AddReceived(item);
    log::Info("uplink", (fresh ? "received " : "received another copy of ") + m.id + " from " +
                            origin + " via " + item.via);
    if (m.request_receipt)
        SendReceipt(origin, m.id);
}

void Uplink::HandleReceipt(const xml::Element& stanza, const std::string& id)
{
    const auto found = store_.OutboxById(id);
    if (!found || Bare(stanza.Attr("from")) != Bare(found->to))
        return; // not ours, or not from its recipient
    // Nothing reached the server from us: a carrier must have brought it.
    const bool via_carrier = found->state == store::OutboxState::Queued && !found->carriers.empty();
    if (store_.MarkDelivered(id, NowMs(), via_carrier))
        log::Info("uplink", id + " delivered to " + found->to);
}

void Uplink::SendReceipt(const std::string& to, const std::string& id)
{
    auto receipt = xmpp::MakeReceipt(to, id);
    // The origin is often offline: ask the server to keep it (XEP-0334).
    receipt.AddChild(xml::Element("store", "urn:xmpp:hints"));
    session_->Send(std::move(receipt));
}

} // namespace pigeon::uplink
