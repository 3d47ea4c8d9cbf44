#include "link/PinBinding.hxx"

#include "crypto/Base64.hxx"
#include "xmpp/Protection.hxx"

namespace pigeon::link {
namespace {

std::string SignedPin(std::string_view account, std::string_view pin)
{
    return xmpp::SignedFields({"pigeon-tls-pin-1", account, pin});
}

PinVerdict Verdict(PinVouch vouch, std::string why)
{
    return {vouch, std::move(why)};
}

} // namespace

const char* ToString(PinVouch vouch) noexcept
{
    switch (vouch) {
    case PinVouch::None:
        return "none";
    case PinVouch::Unvouched:
        return "unvouched";
    case PinVouch::Vouched:
        return "vouched";
    case PinVouch::Mismatch:
        return "mismatch";
    }
    return "?";
}

std::string Refusal(const PinVerdict& verdict)
{
    return "TLS pin mismatch: " + verdict.why;
}

std::string SignPin(const crypto::Identity& us, std::string_view account, std::string_view pin)
{
    return crypto::ToBase64(us.Sign(SignedPin(account, pin)));
}

PinVerdict JudgePin(std::string_view account, std::string_view pin, std::string_view signature,
                    const crypto::PublicKey* key, std::string_view remembered)
{
    const std::string who(account);
    if (pin.empty())
        return {};
    if (account.empty())
        return Verdict(PinVouch::Unvouched, "it announces no account");
    // Trust on first vouch: another key for the account, even one it signs,
    // may be a stolen identity; the user says whether to accept it.
    if (!remembered.empty() && remembered != pin)
        return Verdict(PinVouch::Mismatch,
                       "its TLS pin is not the one vouched for " + who +
                           " before (`pigeonctl peers forget-pin` accepts a new one)");
    const bool known = remembered == pin;
    if (signature.empty())
        return known ? Verdict(PinVouch::Vouched, "as vouched for " + who + " before")
                     : Verdict(PinVouch::Unvouched, "its TLS pin is not signed");
    // Canonical base64 of exactly one signature: anything else is not a
    // pigeon's, and we say so rather than call it unvouched.
    const auto bytes = crypto::FromBase64(signature, crypto::Base64Spaces::Refuse);
    if (!bytes || bytes->size() != crypto::kSignatureBytes)
        return Verdict(PinVouch::Mismatch, "its tls-pin-sig is not a base64 Ed25519 signature");
    if (key == nullptr)
        return known ? Verdict(PinVouch::Vouched, "as vouched for " + who + " before")
                     : Verdict(PinVouch::Unvouched, "we hold no key of " + who + " to check it");
    if (!crypto::Verify(*key, SignedPin(account, pin), *bytes))
        return Verdict(PinVouch::Mismatch, "its tls-pin-sig does not check with the key of " + who +
                                               " its server vouches for");
    return Verdict(PinVouch::Vouched, "signed with the key of " + who);
}

} // namespace pigeon::link
