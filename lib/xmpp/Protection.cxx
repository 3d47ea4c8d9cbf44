#include "xmpp/Protection.hxx"

#include "crypto/Base64.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Namespaces.hxx"

namespace pigeon::xmpp {
namespace {

constexpr std::string_view kNotice =
    "[This message is encrypted end to end for its recipient's pigeon.]";

std::string SignedText(const ChatMessage& m, std::string_view content, bool sealed)
{
    return SignedFields({"pigeon-message-1", BareOf(m.from), BareOf(m.to), m.id,
                         std::to_string(m.sent), sealed ? "sealed" : "body", content});
}

} // namespace

std::string SignedFields(std::initializer_list<std::string_view> fields)
{
    std::string text;
    for (const auto field : fields) {
        text += std::to_string(field.size());
        text += ':';
        text += field;
        text += ',';
    }
    return text;
}

Seal MakeSeal(const ChatMessage& message, const crypto::Identity& us,
              const crypto::PublicKey* recipient)
{
    Seal seal;
    if (recipient != nullptr)
        seal.sealed = crypto::ToBase64(crypto::Seal(*recipient, message.body));
    const std::string_view content = recipient != nullptr ? seal.sealed : message.body;
    seal.signature = crypto::ToBase64(us.Sign(SignedText(message, content, recipient != nullptr)));
    return seal;
}

void ApplySeal(xml::Element& stanza, const Seal& seal)
{
    if (!seal.sealed.empty()) {
        if (auto* body = stanza.Child("body", ns::kClient)) {
            body->children.clear();
            body->AddText(std::string(kNotice));
        }
        stanza.AddChild(xml::Element("sealed", std::string(ns::kPigeon))).AddText(seal.sealed);
    }
    stanza.AddChild(xml::Element("signature", std::string(ns::kPigeon))).AddText(seal.signature);
}

void Protect(xml::Element& stanza, const ChatMessage& message, const crypto::Identity& us,
             const crypto::PublicKey* recipient)
{
    ApplySeal(stanza, MakeSeal(message, us, recipient));
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

Authenticity CheckSignature(const xml::Element& stanza, const ChatMessage& message,
                            const crypto::PublicKey* origin_key)
{
    const auto* sealed = stanza.Child("sealed", ns::kPigeon);
    const auto* signature = stanza.Child("signature", ns::kPigeon);
    if (signature == nullptr) // a seal without a signature: anybody could have made it
        return sealed != nullptr ? Authenticity::Forged : Authenticity::Unsigned;
    if (origin_key == nullptr)
        return Authenticity::Unverified;
    const std::string content = sealed != nullptr ? sealed->Text() : message.body;
    const auto bytes = crypto::FromBase64(signature->Text());
    const bool good =
        bytes &&
        crypto::Verify(*origin_key, SignedText(message, content, sealed != nullptr), *bytes);
    return good ? Authenticity::Signed : Authenticity::Forged;
}

Checked Check(const xml::Element& stanza, const ChatMessage& message,
              const crypto::PublicKey* origin_key, const crypto::Identity& us)
{
    Checked checked;
    checked.body = message.body;
    if (const auto* sealed = stanza.Child("sealed", ns::kPigeon)) {
        checked.sealed = true;
        const auto box = crypto::FromBase64(sealed->Text());
        auto opened = box ? us.Open(*box) : std::nullopt;
        if (!opened) {
            checked.authenticity = Authenticity::Forged;
            checked.body.clear();
            return checked;
        }
        checked.body = std::move(*opened);
    }
    checked.authenticity = CheckSignature(stanza, message, origin_key);
    return checked;
}

} // namespace pigeon::xmpp
