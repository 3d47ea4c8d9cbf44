// Uplink, account side: the roster (cached in the store for offline use),
// in-band registration and password change (XEP-0077).

#include "uplink/Uplink.hxx"

#include "store/Store.hxx"
#include "util/Log.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"

namespace pigeon::uplink {
namespace {

constexpr std::string_view kRoster = "jabber:iq:roster";

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

void Uplink::FetchRoster(std::function<void()> then)
{
    xml::Element iq("iq", std::string(xmpp::ns::kClient));
    iq.SetAttr("type", "get");
    iq.AddChild(xml::Element("query", std::string(kRoster)));
    session_->SendIq(std::move(iq), [this, then](std::optional<xml::Element> reply) {
        if (then)
            then();
        if (!reply || reply->Attr("type") != "result")
            return;
        const auto* query = reply->Child("query", kRoster);
        if (query == nullptr)
            return;
        try {
            const auto roster = ReadRoster(*query);
            store_.ReplaceRoster(roster);
            log::Info("uplink", "roster: " + std::to_string(roster.size()) + " contact(s)");
            // Contacts added while offline go up now.
            for (const auto& contact : store_.Contacts())
                if (!contact.synced)
                    PushContact(contact.jid, contact.name);
        } catch (const std::exception& e) {
            log::Error("uplink", std::string("caching the roster: ") + e.what());
        }
    });
}

void Uplink::HandleRosterPush(const xml::Element& iq)
{
    // RFC 6121 2.1.6: pushes come from our own bare JID (or no from) only.
    const auto from = iq.Attr("from");
    if (!from.empty() && xmpp::Jid::TryParse(from) &&
        xmpp::Jid::Parse(from).Bare().ToString() != config_.account)
        return;
    xml::Element result("iq", std::string(xmpp::ns::kClient));
    result.SetAttr("type", "result");
    result.SetAttr("id", std::string(iq.Attr("id")));
    session_->Send(std::move(result));
    FetchRoster(); // simplest correct view: take the whole roster again
}

void Uplink::AddContact(const std::string& bare_jid, const std::string& name)
{
    store_.AddContact(bare_jid, name);
    if (state_ == SessionState::Online) {
        PushContact(bare_jid, name);
        FetchKey(bare_jid);
    }
}

void Uplink::PushContact(const std::string& bare_jid, const std::string& name)
{
    xml::Element iq("iq", std::string(xmpp::ns::kClient));
    iq.SetAttr("type", "set");
    auto& item = iq.AddChild(xml::Element("query", std::string(kRoster)))
                     .AddChild(xml::Element("item", std::string(kRoster)));
    item.SetAttr("jid", bare_jid);
    if (!name.empty())
        item.SetAttr("name", name);
    session_->SendIq(std::move(iq), [this, bare_jid](std::optional<xml::Element> reply) {
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
        session_->Send(std::move(subscribe));
    });
}

void Uplink::Register(Done done)
{
    if (!probe_.Online()) {
        done("the server is not reachable (no uplink)");
        return;
    }
    try {
        registration_ = std::make_unique<bosh::Registration>(
            multi_, bosh::Account{config_.account, config_.password, config_.bosh_url, "pigeon"},
            [this, done](const std::string& error) {
                done(error);
                if (error.empty()) {
                    log::Notice("uplink", "registered " + config_.account);
                    state_ = SessionState::Offline; // an earlier auth failure no longer holds
                    probe_.Check();
                }
            });
    } catch (const std::exception& e) {
        done(e.what());
    }
}

void Uplink::ChangePassword(const std::string& password, Done done)
{
    if (state_ != SessionState::Online) {
        done("not logged in to the server (no uplink, or the login failed)");
        return;
    }
    try {
        bosh::ChangePassword(*session_, password, [this, password, done](const std::string& error) {
            if (error.empty())
                config_.password = password;
            done(error);
        });
    } catch (const std::exception& e) {
        done(e.what());
    }
}

} // namespace pigeon::uplink
