#include "uplink/KeyDirectory.hxx"

#include "store/Store.hxx"
#include "uplink/ServerLink.hxx"
#include "util/Log.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"

#include <algorithm>

namespace pigeon::uplink {
namespace {

constexpr auto Named = &xml::Element::Named;

xml::Element FormField(std::string_view var, std::string_view value)
{
    auto field = Named("field", xmpp::ns::kDataForms);
    field.SetAttr("var", std::string(var));
    field.AddChild(Named("value", xmpp::ns::kDataForms)).AddText(value);
    return field;
}

// <iq type='set'> publishing `key` on our PEP node, readable by anybody:
// whoever receives a carried message must check it.
xml::Element PublishRequest(const crypto::PublicKey& key)
{
    xml::Element iq("iq", std::string(xmpp::ns::kClient));
    iq.SetAttr("type", "set");
    auto& pubsub = iq.AddChild(Named("pubsub", xmpp::ns::kPubsub));
    auto& publish = pubsub.AddChild(Named("publish", xmpp::ns::kPubsub));
    publish.SetAttr("node", std::string(xmpp::ns::kPigeonKeyNode));
    auto& item = publish.AddChild(Named("item", xmpp::ns::kPubsub));
    item.SetAttr("id", "current");
    item.AddChild(Named("key", xmpp::ns::kPigeon)).AddText(crypto::ToBase64(key));
    auto& form = pubsub.AddChild(Named("publish-options", xmpp::ns::kPubsub))
                     .AddChild(Named("x", xmpp::ns::kDataForms));
    form.SetAttr("type", "submit");
    auto& form_type = form.AddChild(FormField("FORM_TYPE", xmpp::ns::kPubsubPublishOptions));
    form_type.SetAttr("type", "hidden");
    form.AddChild(FormField("pubsub#access_model", "open"));
    return iq;
}

// The <key/> in a reply to our fetch of a PEP key node, if there is one.
const xml::Element* KeyInReply(const std::optional<xml::Element>& reply)
{
    if (!reply || reply->Attr("type") != "result")
        return nullptr;
    if (const auto* pubsub = reply->Child("pubsub", xmpp::ns::kPubsub))
        if (const auto* items = pubsub->Child("items", xmpp::ns::kPubsub))
            if (const auto* item = items->Child("item", xmpp::ns::kPubsub))
                return item->Child("key", xmpp::ns::kPigeon);
    return nullptr;
}

} // namespace

KeyDirectory::KeyDirectory(store::Store& store, const crypto::Identity& us, ServerLink& link,
                           Arrived arrived)
    : store_(store), us_(us), link_(link), arrived_(std::move(arrived))
{
}

void KeyDirectory::OnLoggedIn()
{
    asked_.clear();
    in_flight_.clear();
    announced_.clear();
    published_ = false;
    Publish();
}

void KeyDirectory::FetchWanted()
{
    for (const auto& contact : store_.Contacts())
        Fetch(contact.jid);
    for (const auto& sender : store_.UnverifiedSenders())
        Fetch(sender);
}

void KeyDirectory::Attach(xml::Element& stanza) const
{
    stanza.AddChild(Named("key", xmpp::ns::kPigeon)).AddText(crypto::ToBase64(us_.Public()));
}

void KeyDirectory::Take(const xml::Element& stanza, const std::string& from)
{
    const auto* element = stanza.Child("key", xmpp::ns::kPigeon);
    const auto key = element != nullptr ? crypto::ParsePublicKey(element->Text()) : std::nullopt;
    if (!key) {
        LearnKeyOf(from);
        return;
    }
    if (Remember(from, *key, "its message"))
        arrived_(from);
}

bool KeyDirectory::Remember(const std::string& jid, const crypto::PublicKey& key,
                            const char* source)
{
    const std::string text = crypto::ToBase64(key);
    const auto known = store_.Key(jid);
    if (known == text)
        return false;
    store_.SetKey(jid, text, NowMs());
    const std::string fingerprint = crypto::Fingerprint(key);
    const auto old = known ? crypto::ParsePublicKey(*known) : std::nullopt;
    if (old)
        // Its server vouches for the new one; people who compared fingerprints
        // should hear about it.
        log::Warning("uplink", "the key of " + jid + " changed from " + crypto::Fingerprint(*old) +
                                   " to " + fingerprint + " (from " + source + ")");
    else
        log::Info("uplink",
                  "learnt the key of " + jid + ", " + fingerprint + " (from " + source + ")");
    return true;
}

void KeyDirectory::Publish()
{
    link_.SendIq(PublishRequest(us_.Public()), [this](std::optional<xml::Element> reply) {
        published_ = reply && reply->Attr("type") == "result";
        if (published_)
            log::Info("uplink", "published our public key");
        else
            log::Warning("uplink", "our server did not take our public key (" +
                                       (reply ? xmpp::ErrorCondition(*reply) : "no answer") +
                                       "): carried messages from us stay unverified");
    });
}

void KeyDirectory::Fetch(const std::string& jid, bool again)
{
    if (!link_.Online() || in_flight_.contains(jid) || (!again && asked_.contains(jid)))
        return;
    asked_.insert(jid);
    in_flight_.insert(jid);
    xml::Element iq("iq", std::string(xmpp::ns::kClient));
    iq.SetAttr("type", "get");
    iq.SetAttr("to", jid);
    auto& items =
        iq.AddChild(Named("pubsub", xmpp::ns::kPubsub)).AddChild(Named("items", xmpp::ns::kPubsub));
    items.SetAttr("node", std::string(xmpp::ns::kPigeonKeyNode));
    items.SetAttr("max_items", "1");
    link_.SendIq(std::move(iq), [this, jid](std::optional<xml::Element> reply) {
        try {
            OnReply(jid, reply);
        } catch (const std::exception& e) {
            log::Error("uplink", "storing the key of " + jid + ": " + e.what());
        }
    });
}

void KeyDirectory::Announce(const std::string& jid)
{
    if (!link_.Online() || !announced_.insert(jid).second)
        return;
    xml::Element message("message", std::string(xmpp::ns::kClient));
    message.SetAttr("to", jid);
    message.SetAttr("type", "headline");
    Attach(message);
    link_.Send(std::move(message));
}

void KeyDirectory::LearnKeyOf(const std::string& jid)
{
    if (jid.empty() || jid == link_.Config().account)
        return; // the server itself, or ourselves
    const auto waiting = store_.UnverifiedSenders();
    if (std::find(waiting.begin(), waiting.end(), jid) != waiting.end())
        Fetch(jid, true); // it may have published it since we last asked
    else if (!store_.Key(jid))
        Fetch(jid); // to check what it sends through carriers, and seal our replies
}

void KeyDirectory::OnReply(const std::string& jid, const std::optional<xml::Element>& reply)
{
    in_flight_.erase(jid);
    const auto* key = KeyInReply(reply);
    const auto parsed = key != nullptr ? crypto::ParsePublicKey(key->Text()) : std::nullopt;
    if (!parsed) {
        log::Info("uplink", jid + " publishes no pigeon key" +
                                (reply ? " (" + xmpp::ErrorCondition(*reply) + ")" : ""));
        return;
    }
    Remember(jid, *parsed, "its server");
    arrived_(jid); // even with the same key: a copy may have come meanwhile
}

std::optional<crypto::PublicKey> KeyDirectory::Known(const std::string& jid)
{
    const auto text = store_.Key(jid);
    return text ? crypto::ParsePublicKey(*text) : std::nullopt;
}

} // namespace pigeon::uplink
