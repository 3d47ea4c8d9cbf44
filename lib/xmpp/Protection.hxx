#pragma once
// End-to-end protection of a message that travels through carriers: the
// origin signs it (so a carrier cannot change or forge it) and, when it knows
// the recipient's key, seals the body to it (so a carrier cannot read it).
//
// The signature covers a canonical text of the fields, not the XML bytes,
// because servers re-serialise stanzas: the bare sender and recipient, the
// origin-id, the send time in milliseconds and the sealed body (or the body).
// See doc/carry-protocol.md.

#include "crypto/Identity.hxx"
#include "xmpp/Message.hxx"

#include <initializer_list>
#include <string_view>

namespace pigeon::xmpp {

// The text a pigeon signature covers: each field as `LENGTH:VALUE,` (length
// in bytes, decimal), so that no choice of separator can make two different
// sets of fields read the same. The first field names what is signed.
std::string SignedFields(std::initializer_list<std::string_view> fields);

// What protecting a message adds to it, both base64: the body sealed to the
// recipient (empty when not sealed) and the origin's signature. Made once,
// when the message is queued, and kept with it (see link/OutboxSigner).
struct Seal {
    std::string sealed;
    std::string signature;
};

// Seals `message`'s body to `recipient` if given, and signs. Throws
// std::invalid_argument for an unusable recipient key.
Seal MakeSeal(const ChatMessage& message, const crypto::Identity& us,
              const crypto::PublicKey* recipient);

// Adds `seal` to `stanza`, made by ToStanza(message): <sealed/> (replacing
// the body with a notice) when sealed, then <signature/>.
void ApplySeal(xml::Element& stanza, const Seal& seal);

// Both at once.
void Protect(xml::Element& stanza, const ChatMessage& message, const crypto::Identity& us,
             const crypto::PublicKey* recipient);

enum class Authenticity {
    Unsigned,   // no signature at all
    Unverified, // signed, but the origin's key is not known yet
    Signed,     // the signature checks with the origin's key
    Forged,     // it does not, or the seal is not for us or was altered
};
const char* ToString(Authenticity authenticity) noexcept;

struct Checked {
    Authenticity authenticity = Authenticity::Unsigned;
    std::string body; // opened if it was sealed (empty if it could not be)
    bool sealed = false;
};

// Checks `stanza` (whose fields `message` has parsed, with `sent` from the
// delay the carrier cannot change unnoticed) against the origin's key, when
// known, and opens a sealed body with our identity.
Checked Check(const xml::Element& stanza, const ChatMessage& message,
              const crypto::PublicKey* origin_key, const crypto::Identity& us);
// The signature alone, without opening a seal, as a carrier can check it:
// Unsigned, Unverified without `origin_key`, Signed, or Forged (a bad
// signature, or a seal with none).
Authenticity CheckSignature(const xml::Element& stanza, const ChatMessage& message,
                            const crypto::PublicKey* origin_key);

} // namespace pigeon::xmpp
