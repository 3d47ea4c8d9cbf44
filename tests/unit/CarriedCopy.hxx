#pragma once
// Carried copies as a carrier uploads them, made by a real origin's identity,
// for the tests of what the recipient makes of them.

#include "crypto/Identity.hxx"
#include "xml/Serializer.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"
#include "xmpp/Protection.hxx"

#include <optional>
#include <string>

namespace pigeon::test {

inline xmpp::ChatMessage SampleMessage()
{
    return {"elaine@example.org/phone",
            "jerry@example.org",
            "5b3f0c2e-0000-4000-8000-000000000001",
            "running late",
            1'700'000'000'123,
            true};
}

struct CarriedCopy {
    xml::Element forwarded;

    // The origin's stanza, signed by `signer` (null: unsigned), sealed to
    // `seal_to` if given, its body then replaced by `tampered` if given.
    CarriedCopy(const xmpp::ChatMessage& m, const crypto::Identity* signer,
                const crypto::PublicKey* seal_to = nullptr, const char* tampered = nullptr)
    {
        auto stanza = xmpp::ToStanza(m);
        if (signer != nullptr)
            xmpp::Protect(stanza, m, *signer, seal_to);
        if (tampered != nullptr) {
            auto* body = stanza.Child("body", xmpp::ns::kClient);
            body->children.clear();
            body->AddText(tampered);
        }
        forwarded = xmpp::Forward(stanza, m.sent);
    }

    // Points into `forwarded`: valid while this copy is.
    xmpp::Unwrapped Original() const { return *xmpp::Unwrap(forwarded); }
    std::string Text() const { return xml::Serialize(forwarded); }
};

} // namespace pigeon::test
