#include "uplink/Roster.hxx"

#include "store/Store.hxx"
#include "uplink/ServerLink.hxx"
#include "util/Log.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Namespaces.hxx"

namespace pigeon::uplink {
namespace {

std::vector<store::Contact> ReadRoster(const xml::Element& query)
{
    std::vector<store::Contact> contacts;
    for (const auto& item : query.children) {
        if (item.IsText() || item.name != "item")
            continue;
        const auto jid = xmpp::Jid::TryParse(item.Attr("jid"));
        if (!jid || item.Attr("subscription") == "remove")
            continue;
        const auto subscription = item.Attr("subscription");
        contacts.push_back({jid->Bare().ToString(), std::string(item.Attr("name")),
                            subscription.empty() ? "none" : std::string(subscription), true});
    }
    return contacts;
}

} // namespace

Roster::Roster(store::Store& store, ServerLink& link) noexcept : store_(store), link_(link)
{
}

void Roster::Fetch(std::function<void()> then)
{
    xml::Element iq("iq", std::string(xmpp::ns::kClient));
    iq.SetAttr("type", "get");
    iq.AddChild(xml::Element("query", std::string(xmpp::ns::kRoster)));
    link_.SendIq(std::move(iq), [this, then](std::optional<xml::Element> reply) {
        if (then)
            then();
        if (!reply || reply->Attr("type") != "result")
            return;
        const auto* query = reply->Child("query", xmpp::ns::kRoster);
        if (query == nullptr)
            return;
        try {
            const auto roster = ReadRoster(*query);
            store_.ReplaceRoster(roster);
            log::Info("uplink", "roster: " + std::to_string(roster.size()) + " contact(s)");
            // Contacts added while offline go up now.
            for (const auto& contact : store_.Contacts())
                if (!contact.synced)
                    Push(contact.jid, contact.name);
        } catch (const std::exception& e) {
            log::Error("uplink", std::string("caching the roster: ") + e.what());
        }
    });
}

bool Roster::IsPush(const xml::Element& iq)
{
    return iq.name == "iq" && iq.Attr("type") == "set" &&
           iq.Child("query", xmpp::ns::kRoster) != nullptr;
}

void Roster::OnPush(const xml::Element& iq)
{
    // RFC 6121 2.1.6: pushes come from our own bare JID (or no from) only.
    const auto from = iq.Attr("from");
    if (!from.empty() && xmpp::Jid::TryParse(from) &&
        xmpp::Jid::Parse(from).Bare().ToString() != link_.Config().account)
        return;
    xml::Element result("iq", std::string(xmpp::ns::kClient));
    result.SetAttr("type", "result");
    result.SetAttr("id", std::string(iq.Attr("id")));
    link_.Send(std::move(result));
    Fetch(); // simplest correct view: take the whole roster again
}

void Roster::OnSubscribe(const xml::Element& presence)
{
    xml::Element reply("presence", std::string(xmpp::ns::kClient));
    reply.SetAttr("to", std::string(presence.Attr("from")));
    reply.SetAttr("type", "subscribed");
    link_.Send(std::move(reply));
}

void Roster::Add(const std::string& bare_jid, const std::string& name)
{
    store_.AddContact(bare_jid, name);
    if (link_.Online())
        Push(bare_jid, name);
}

void Roster::Push(const std::string& bare_jid, const std::string& name)
{
    xml::Element iq("iq", std::string(xmpp::ns::kClient));
    iq.SetAttr("type", "set");
    auto& item = iq.AddChild(xml::Element("query", std::string(xmpp::ns::kRoster)))
                     .AddChild(xml::Element("item", std::string(xmpp::ns::kRoster)));
    item.SetAttr("jid", bare_jid);
    if (!name.empty())
        item.SetAttr("name", name);
    link_.SendIq(std::move(iq), [this, bare_jid](std::optional<xml::Element> reply) {
        if (!reply || reply->Attr("type") != "result")
            return;
        try {
            store_.MarkContactSynced(bare_jid);
        } catch (const std::exception& e) {
            log::Error("uplink", std::string("recording a contact: ") + e.what());
        }
        xml::Element subscribe("presence", std::string(xmpp::ns::kClient));
        subscribe.SetAttr("to", bare_jid);
        subscribe.SetAttr("type", "subscribe");
        link_.Send(std::move(subscribe));
    });
}

} // namespace pigeon::uplink
