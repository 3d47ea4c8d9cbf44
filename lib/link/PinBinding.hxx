#pragma once
// What ties a neighbour's TLS pin to an account: the agent signs its pin and
// its account with its Ed25519 identity, whose public half the account's
// server publishes (uplink::KeyDirectory). A pin whose signature checks with
// the key the server vouches for is vouched; the first one vouched for an
// account is remembered, and any other pin for it refused until the user
// forgets it (`pigeonctl peers forget-pin`). See doc/carry-protocol.md.

#include "crypto/Identity.hxx"

#include <string>
#include <string_view>

namespace pigeon::link {

// The TXT key under which a pigeon announces the signature of its pin and
// account, base64 (88 characters: well within a TXT string's 255 bytes).
inline constexpr const char* kPinSigKey = "tls-pin-sig";

enum class PinVouch {
    None,      // no pin: a chat client, or a pigeon with link-tls = no
    Unvouched, // a pin without a signature, an account, or a key to check it with
    Vouched,   // signed with the key its account's server vouches for
    Mismatch,  // a signature that does not check, or not the pin vouched before: refused
};
const char* ToString(PinVouch vouch) noexcept;

struct PinVerdict {
    PinVouch vouch = PinVouch::None;
    std::string why; // for the log and `peers --log`; empty when there is nothing to say
    bool operator==(const PinVerdict&) const = default;
};

// What `peers --log` says of a stream refused for a Mismatch verdict.
std::string Refusal(const PinVerdict& verdict);

// Our `tls-pin-sig`: base64 of the signature of `pin` announced for `account`.
std::string SignPin(const crypto::Identity& us, std::string_view account, std::string_view pin);

// What to make of `pin` announced for `account` with `signature` (base64,
// empty if none), given the key we hold for the account (nullptr if none)
// and the pin remembered as vouched for it (empty if none).
PinVerdict JudgePin(std::string_view account, std::string_view pin, std::string_view signature,
                    const crypto::PublicKey* key, std::string_view remembered);

} // namespace pigeon::link
