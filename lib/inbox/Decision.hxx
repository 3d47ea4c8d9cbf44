#pragma once
// The pure decisions of receiving, kept apart from the store so that they can
// be tested alone: what becomes of a carried copy given what we know of its
// origin's key, and which copy of a message held as unverified is the genuine
// one once the key is known.

#include "crypto/Identity.hxx"
#include "store/Model.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Protection.hxx"

#include <optional>
#include <span>

namespace pigeon::inbox {

// Whether a copy vouched for this way settles one held as unverified: our
// server's word and the origin's signature do; a neighbour's claim to be the
// sender does not (nothing checked it), nor another unverified copy.
bool Settles(store::Authenticity authenticity) noexcept;

enum class Action {
    Keep,   // the origin's signature checks: keep it as signed
    Hold,   // keep it as unverified until the origin's key is known
    Refuse, // unsigned or forged: count it, keep nothing
};

struct Verdict {
    Action action = Action::Refuse;
    xmpp::Authenticity check = xmpp::Authenticity::Unsigned; // what the signature said
    // Held although the key we know fails: the origin may have a new one
    // since, so its server is to be asked again before judging.
    bool ask_again = false;
    // As the origin sent it, the body opened if it was sealed to us;
    // authenticity Signed or Unverified. `via` and `received` are left empty:
    // they depend on how the copy came.
    store::InboxItem item;
    bool request_receipt = false;
};

// Judges a carried message by its origin's key (null: not known yet) and
// opens a body sealed to `us`. `asked`: the origin's server was asked for its
// key this session, so a signature that fails with it is forged, not stale.
// Throws only std::bad_alloc.
Verdict JudgeCarried(const xmpp::Unwrapped& original, const crypto::PublicKey* key, bool asked,
                     const crypto::Identity& us);

struct Settlement {
    // The first copy the key bears out, with the via and received time it
    // came with; none: the message leaves the inbox.
    std::optional<store::InboxItem> genuine;
    bool request_receipt = false;
    int forged = 0; // copies the key does not bear out (unreadable ones among them)
};

// Settles the carried copies of one message held as unverified (one sender,
// one origin-id) now that the sender's key is known. Throws only std::bad_alloc.
Settlement SettleCopies(std::span<const store::UnverifiedCopy> copies, const crypto::PublicKey& key,
                        const crypto::Identity& us);

} // namespace pigeon::inbox
