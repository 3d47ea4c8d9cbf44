#include "xmpp/Negotiation.hxx"

#include "xmpp/Jid.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"

namespace pigeon::xmpp {

xml::Element BindIq(const std::string& id, const std::string& resource)
{
    xml::Element iq{"iq", std::string{ns::kClient}};
    iq.SetAttr("type", "set");
    iq.SetAttr("id", id);
    xml::Element& bind = iq.AddChild(xml::Element{"bind", std::string{ns::kBind}});
    bind.AddChild(xml::Element{"resource", std::string{ns::kBind}}).AddText(resource);
    return iq;
}

std::optional<std::string> BoundJid(const xml::Element& reply)
{
    if (reply.Attr("type") != "result")
        return std::nullopt;
    const xml::Element* bound = reply.Child("bind", ns::kBind);
    const auto jid = Jid::TryParse(bound ? bound->ChildText("jid", ns::kBind) : "");
    if (!jid || jid->IsBare())
        return std::nullopt;
    return jid->ToString();
}

std::string IqFailure(std::string_view what, const std::optional<xml::Element>& reply)
{
    return std::string(what) + " failed: " + (reply ? ErrorCondition(*reply) : "no reply");
}

bool NeedsSession(const xml::Element& features)
{
    const xml::Element* session = features.Child("session", ns::kSession);
    return session != nullptr && session->Child("optional", ns::kSession) == nullptr;
}

xml::Element SessionIq(const std::string& id)
{
    xml::Element iq{"iq", std::string{ns::kClient}};
    iq.SetAttr("type", "set");
    iq.SetAttr("id", id);
    iq.AddChild(xml::Element{"session", std::string{ns::kSession}});
    return iq;
}

xml::Element PingIq(const std::string& id, const std::string& to)
{
    xml::Element iq{"iq", std::string{ns::kClient}};
    iq.SetAttr("type", "get");
    iq.SetAttr("id", id);
    iq.SetAttr("to", to);
    iq.AddChild(xml::Element{"ping", std::string{ns::kPing}});
    return iq;
}

xml::Element InitialPresence(const std::optional<xml::Element>& extension)
{
    xml::Element presence{"presence", std::string{ns::kClient}};
    if (extension)
        presence.AddChild(*extension);
    return presence;
}

std::string Condition(const xml::Element& element, std::string_view ns)
{
    for (const auto& child : element.children)
        if (!child.IsText() && child.ns == ns && child.name != "text")
            return child.name;
    return "undefined-condition";
}

std::string SaslFailure(const xml::Element& failure)
{
    std::string reason = "authentication failed: " + Condition(failure, ns::kSasl);
    if (const std::string text = failure.ChildText("text", ns::kSasl); !text.empty())
        reason += " (" + text + ")";
    return reason;
}

} // namespace pigeon::xmpp
