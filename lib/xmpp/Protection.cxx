#include "xmpp/Protection.hxx"

#include "crypto/Base64.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Namespaces.hxx"

namespace pigeon::xmpp {
namespace {

constexpr std::string_view kNotice =
    "[This message is encrypted end to end for its recipient's pigeon.]";

// Length-prefixed fields: no choice of separator can make two different
// messages read the same.
void Field(std::string& out, std::string_view value)
{
    out += std::to_string(value.size());
    out += ':';
    out += value;
    out += ',';
}

std::string SignedText(const ChatMessage& m, std::string_view content, bool sealed)
{
    std::string text;
    Field(text, "pigeon-message-1");
    Field(text, BareOf(m.from));
    Field(text, BareOf(m.to));
    Field(text, m.id);
    Field(text, std::to_string(m.sent));
    Field(text, sealed ? "sealed" : "body");
    Field(text, content);
    return text;
}

} // namespace

void Protect(xml::Element& stanza, const ChatMessage& message, const crypto::Identity& us,
             const crypto::PublicKey* recipient)
{
    std::string content = message.body;
    if (recipient != nullptr) {
        content = crypto::ToBase64(crypto::Seal(*recipient, message.body));
        if (auto* body = stanza.Child("body", ns::kClient)) {
            body->children.clear();
            body->AddText(std::string(kNotice));
        }
        stanza.AddChild(xml::Element("sealed", std::string(ns::kPigeon))).AddText(content);
    }
    stanza.AddChild(xml::Element("signature", std::string(ns::kPigeon)))
        .AddText(crypto::ToBase64(us.Sign(SignedText(message, content, recipient != nullptr))));
}

const char* ToString(Authenticity authenticity) noexcept
{
    switch (authenticity) {
    case Authenticity::Unsigned:
        return "unsigned";
    case Authenticity::Unverified:
        return "unverified";
    case Authenticity::Signed:
        return "signed";
    case Authenticity::Forged:
        return "forged";
    }
    return "?";
}

Checked Check(const xml::Element& stanza, const ChatMessage& message,
              const crypto::PublicKey* origin_key, const crypto::Identity& us)
{
    Checked checked;
    checked.body = message.body;
    const auto* sealed = stanza.Child("sealed", ns::kPigeon);
    const std::string content = sealed != nullptr ? sealed->Text() : message.body;
    if (sealed != nullptr) {
        checked.sealed = true;
        const auto box = crypto::FromBase64(content);
        auto opened = box ? us.Open(*box) : std::nullopt;
        if (!opened) {
            checked.authenticity = Authenticity::Forged;
            checked.body.clear();
            return checked;
        }
        checked.body = std::move(*opened);
    }
    const auto* signature = stanza.Child("signature", ns::kPigeon);
    if (signature == nullptr) {
        // A seal without a signature: anybody could have made it.
        checked.authenticity = sealed != nullptr ? Authenticity::Forged : Authenticity::Unsigned;
        return checked;
    }
    if (origin_key == nullptr) {
        checked.authenticity = Authenticity::Unverified;
        return checked;
    }
    const auto bytes = crypto::FromBase64(signature->Text());
    const bool good =
        bytes &&
        crypto::Verify(*origin_key, SignedText(message, content, sealed != nullptr), *bytes);
    checked.authenticity = good ? Authenticity::Signed : Authenticity::Forged;
    return checked;
}

} // namespace pigeon::xmpp
