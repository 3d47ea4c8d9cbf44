#include "xmpp/Message.hxx"

#include "xmpp/Namespaces.hxx"

namespace pigeon::xmpp {
using namespace ns;
namespace {

constexpr auto Named = &xml::Element::Named;

xml::Element Delay(UnixMs sent)
{
    auto delay = Named("delay", kDelay);
    delay.SetAttr("stamp", FormatRfc3339(sent));
    return delay;
}

std::optional<UnixMs> DelayStamp(const xml::Element& parent)
{
    const auto* delay = parent.Child("delay", kDelay);
    if (delay == nullptr)
        return std::nullopt;
    return ParseRfc3339(delay->Attr("stamp"));
}

} // namespace

xml::Element ToStanza(const ChatMessage& m)
{
    auto stanza = Named("message", kClient);
    if (!m.from.empty())
        stanza.SetAttr("from", m.from);
    stanza.SetAttr("to", m.to);
    stanza.SetAttr("type", "chat");
    stanza.SetAttr("id", m.id);
    stanza.AddChild(Named("body", kClient)).AddText(m.body);
    if (m.request_receipt)
        stanza.AddChild(Named("request", kReceipts));
    stanza.AddChild(Named("origin-id", kStanzaId)).SetAttr("id", m.id);
    if (m.sent != 0)
        stanza.AddChild(Delay(m.sent));
    return stanza;
}

std::optional<ChatMessage> ParseChatMessage(const xml::Element& stanza)
{
    if (stanza.name != "message" || stanza.ns != kClient)
        return std::nullopt;
    const auto type = stanza.Attr("type");
    if (type == "error" || type == "groupchat" || type == "headline")
        return std::nullopt;
    const auto* body = stanza.Child("body", kClient);
    if (body == nullptr)
        return std::nullopt;
    ChatMessage m;
    m.from = stanza.Attr("from");
    m.to = stanza.Attr("to");
    m.body = body->Text();
    if (const auto* origin = stanza.Child("origin-id", kStanzaId); origin != nullptr)
        m.id = origin->Attr("id");
    if (m.id.empty())
        m.id = stanza.Attr("id");
    m.sent = DelayStamp(stanza).value_or(0);
    m.request_receipt = stanza.Child("request", kReceipts) != nullptr;
    return m;
}

xml::Element Forward(xml::Element message, UnixMs sent)
{
    auto forwarded = Named("forwarded", kForward);
    forwarded.AddChild(Delay(sent));
    forwarded.AddChild(std::move(message));
    return forwarded;
}

std::optional<Unwrapped> Unwrap(const xml::Element& forwarded)
{
    if (forwarded.name != "forwarded" || forwarded.ns != kForward)
        return std::nullopt;
    const auto sent = DelayStamp(forwarded);
    const auto* inner = forwarded.Child("message", kClient);
    if (!sent || inner == nullptr || inner->Child("origin-id", kStanzaId) == nullptr)
        return std::nullopt;
    auto message = ParseChatMessage(*inner);
    if (!message || message->id.empty() || message->from.empty() || message->to.empty())
        return std::nullopt;
    message->sent = *sent;
    return Unwrapped{std::move(*message), inner};
}

xml::Element MakeReceipt(const std::string& to, const std::string& id)
{
    auto stanza = Named("message", kClient);
    stanza.SetAttr("to", to);
    stanza.SetAttr("id", "r-" + id);
    stanza.AddChild(Named("received", kReceipts)).SetAttr("id", id);
    return stanza;
}

std::optional<std::string> ReceiptId(const xml::Element& message)
{
    if (message.name != "message")
        return std::nullopt;
    const auto* received = message.Child("received", kReceipts);
    if (received == nullptr || received->Attr("id").empty())
        return std::nullopt;
    return std::string(received->Attr("id"));
}

xml::Element MakeIqResult(const xml::Element& request)
{
    auto iq = Named("iq", kClient);
    iq.SetAttr("type", "result");
    iq.SetAttr("id", std::string(request.Attr("id")));
    if (const auto from = request.Attr("from"); !from.empty())
        iq.SetAttr("to", std::string(from));
    return iq;
}

xml::Element MakeIqError(const xml::Element& request, std::string_view type,
                         std::string_view condition, std::string_view text)
{
    auto iq = Named("iq", kClient);
    iq.SetAttr("type", "error");
    iq.SetAttr("id", std::string(request.Attr("id")));
    if (const auto from = request.Attr("from"); !from.empty())
        iq.SetAttr("to", std::string(from));
    auto& error = iq.AddChild(Named("error", kClient));
    error.SetAttr("type", std::string(type));
    error.AddChild(Named(condition, kStanzaErrors));
    if (!text.empty())
        error.AddChild(Named("text", kStanzaErrors)).AddText(text);
    return iq;
}

std::string ErrorCondition(const xml::Element& stanza)
{
    const auto* error = stanza.Child("error", kClient);
    if (error == nullptr)
        return {};
    for (const auto& child : error->children)
        if (!child.IsText() && child.ns == kStanzaErrors && child.name != "text")
            return child.name;
    return "undefined-condition";
}

std::string ErrorType(const xml::Element& stanza)
{
    const auto* error = stanza.Child("error", kClient);
    return error != nullptr ? std::string(error->Attr("type")) : std::string();
}

} // namespace pigeon::xmpp
