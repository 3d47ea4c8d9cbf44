// Uplink, end-to-end keys: ours goes to our server for others to fetch
// (XEP-0163 PEP, open access), theirs come from their servers, and carried
// messages are accepted only with their origin's signature.

#include "uplink/Uplink.hxx"

#include "store/Store.hxx"
#include "util/Log.hxx"
#include "xml/Document.hxx"
#include "xml/Serializer.hxx"
#include "xmpp/Namespaces.hxx"

#include <algorithm>
#include <map>

namespace pigeon::uplink {
namespace {

constexpr std::string_view kPubsub = "http://jabber.org/protocol/pubsub";
constexpr std::string_view kDataForms = "jabber:x:data";
// The PEP node that holds an agent's public key, one item, "current".
constexpr std::string_view kKeyNode = "urn:xmpp:pigeon:key:0";

constexpr auto Named = &xml::Element::Named;

xml::Element FormField(std::string_view var, std::string_view value)
{
    auto field = Named("field", kDataForms);
    field.SetAttr("var", std::string(var));
    field.AddChild(Named("value", kDataForms)).AddText(value);
    return field;
}

} // namespace

// What we send through our server carries our key: the server vouches for
// the sender, so a correspondent learns the key without asking for it.
void Uplink::AttachKey(xml::Element& stanza) const
{
    stanza.AddChild(Named("key", xmpp::ns::kPigeon)).AddText(crypto::ToBase64(identity_.Public()));
}

void Uplink::TakeKey(const xml::Element& stanza, const std::string& from)
{
    const auto* element = stanza.Child("key", xmpp::ns::kPigeon);
    const auto key = element != nullptr ? crypto::ParsePublicKey(element->Text()) : std::nullopt;
    if (!key) {
        LearnKeyOf(from);
        return;
    }
    if (RememberKey(from, *key, "its message"))
        SettleUnverified(from);
}

bool Uplink::RememberKey(const std::string& jid, const crypto::PublicKey& key, const char* source)
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

void Uplink::PublishKey()
{
    xml::Element iq("iq", std::string(xmpp::ns::kClient));
    iq.SetAttr("type", "set");
    auto& pubsub = iq.AddChild(Named("pubsub", kPubsub));
    auto& publish = pubsub.AddChild(Named("publish", kPubsub));
    publish.SetAttr("node", std::string(kKeyNode));
    auto& item = publish.AddChild(Named("item", kPubsub));
    item.SetAttr("id", "current");
    item.AddChild(Named("key", xmpp::ns::kPigeon)).AddText(crypto::ToBase64(identity_.Public()));
    // Anybody may read it: whoever receives a carried message must check it.
    auto& form =
        pubsub.AddChild(Named("publish-options", kPubsub)).AddChild(Named("x", kDataForms));
    form.SetAttr("type", "submit");
    auto& form_type =
        form.AddChild(FormField("FORM_TYPE", "http://jabber.org/protocol/pubsub#publish-options"));
    form_type.SetAttr("type", "hidden");
    form.AddChild(FormField("pubsub#access_model", "open"));
    session_->SendIq(std::move(iq), [this](std::optional<xml::Element> reply) {
        key_published_ = reply && reply->Attr("type") == "result";
        if (key_published_)
            log::Info("uplink", "published our public key");
        else
            log::Warning("uplink", "our server did not take our public key (" +
                                       (reply ? xmpp::ErrorCondition(*reply) : "no answer") +
                                       "): carried messages from us stay unverified");
    });
}

void Uplink::FetchKey(const std::string& jid, bool again)
{
    if (state_ != SessionState::Online || keys_in_flight_.contains(jid) ||
        (!again && keys_asked_.contains(jid)))
        return;
    keys_asked_.insert(jid);
    keys_in_flight_.insert(jid);
    xml::Element iq("iq", std::string(xmpp::ns::kClient));
    iq.SetAttr("type", "get");
    iq.SetAttr("to", jid);
    auto& items = iq.AddChild(Named("pubsub", kPubsub)).AddChild(Named("items", kPubsub));
    items.SetAttr("node", std::string(kKeyNode));
    items.SetAttr("max_items", "1");
    session_->SendIq(std::move(iq), [this, jid](std::optional<xml::Element> reply) {
        try {
            OnKeyReply(jid, reply);
        } catch (const std::exception& e) {
            log::Error("uplink", "storing the key of " + jid + ": " + e.what());
        }
    });
}

void Uplink::LearnKeyOf(const std::string& jid)
{
    if (jid.empty() || jid == config_.account)
        return; // the server itself, or ourselves
    const auto waiting = store_.UnverifiedSenders();
    if (std::find(waiting.begin(), waiting.end(), jid) != waiting.end())
        FetchKey(jid, true); // it may have published it since we last asked
    else if (!store_.Key(jid))
        FetchKey(jid); // to check what it sends through carriers, and seal our replies
}

void Uplink::OnKeyReply(const std::string& jid, const std::optional<xml::Element>& reply)
{
    keys_in_flight_.erase(jid);
    const xml::Element* key = nullptr;
    if (reply && reply->Attr("type") == "result")
        if (const auto* pubsub = reply->Child("pubsub", kPubsub))
            if (const auto* items = pubsub->Child("items", kPubsub))
                if (const auto* item = items->Child("item", kPubsub))
                    key = item->Child("key", xmpp::ns::kPigeon);
    const auto parsed = key != nullptr ? crypto::ParsePublicKey(key->Text()) : std::nullopt;
    if (!parsed) {
        log::Info("uplink", jid + " publishes no pigeon key" +
                                (reply ? " (" + xmpp::ErrorCondition(*reply) + ")" : ""));
        return;
    }
    RememberKey(jid, *parsed, "its server");
    SettleUnverified(jid); // even with the same key: a copy may have come meanwhile
}

std::optional<crypto::PublicKey> Uplink::KnownKey(const std::string& jid)
{
    const auto text = store_.Key(jid);
    return text ? crypto::ParsePublicKey(*text) : std::nullopt;
}

// The origin's key is known now: each message waiting for it becomes its
// genuine copy, or leaves the inbox if no copy is genuine.
void Uplink::SettleUnverified(const std::string& sender)
{
    const auto key = KnownKey(sender);
    if (!key)
        return;
    std::map<std::string, std::vector<store::UnverifiedCopy>> by_id;
    for (auto& copy : store_.UnverifiedFrom(sender))
        by_id[copy.id].push_back(std::move(copy));
    for (const auto& [id, copies] : by_id) {
        std::optional<store::InboxItem> genuine;
        bool receipt = false;
        int forged = 0;
        for (const auto& copy : copies) {
            std::optional<CarriedCheck> checked;
            try {
                const auto forwarded = xml::ParseDocument(copy.forwarded);
                if (const auto original = xmpp::Unwrap(forwarded))
                    checked = CheckCarried(*original, &*key);
            } catch (const std::exception&) {
                // We wrote it ourselves; unreadable now, it proves nothing.
            }
            if (!checked || checked->authenticity != xmpp::Authenticity::Signed) {
                ++forged;
            } else if (!genuine) {
                genuine = std::move(checked->item);
                genuine->via = copy.via;
                genuine->received = copy.received;
                receipt = checked->request_receipt;
            }
        }
        store_.Settle(sender, id, genuine ? &*genuine : nullptr, forged);
        if (genuine) {
            log::Info("uplink", id + " from " + sender + " verified");
            if (receipt)
                SendReceipt(sender, id);
        } else {
            log::Warning("uplink", "dropped " + id + " claiming to come from " + sender +
                                       ": no carried copy bears its signature");
        }
    }
}

} // namespace pigeon::uplink
