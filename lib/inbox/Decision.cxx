#include "inbox/Decision.hxx"

#include "xml/Document.hxx"
#include "xmpp/Jid.hxx"

namespace pigeon::inbox {

bool Settles(store::Authenticity authenticity) noexcept
{
    return authenticity == store::Authenticity::Server ||
           authenticity == store::Authenticity::Signed;
}

namespace {

Action ActionFor(xmpp::Authenticity check, bool key_known, bool asked) noexcept
{
    switch (check) {
    case xmpp::Authenticity::Signed:
        return Action::Keep;
    case xmpp::Authenticity::Unverified:
        return Action::Hold;
    case xmpp::Authenticity::Forged:
        // Perhaps the origin has a new key: ask its server before judging.
        return key_known && !asked ? Action::Hold : Action::Refuse;
    case xmpp::Authenticity::Unsigned:
        break;
    }
    return Action::Refuse;
}

} // namespace

Verdict JudgeCarried(const xmpp::Unwrapped& original, const crypto::PublicKey* key, bool asked,
                     const crypto::Identity& us)
{
    const auto& m = original.message;
    auto checked = xmpp::Check(*original.stanza, m, key, us);
    const Action action = ActionFor(checked.authenticity, key != nullptr, asked);
    return {
        action,
        checked.authenticity,
        action == Action::Hold && checked.authenticity == xmpp::Authenticity::Forged,
        {m.id,
         xmpp::BareOf(m.from),
         std::move(checked.body),
         m.sent,
         0,
         {},
         action == Action::Keep ? store::Authenticity::Signed : store::Authenticity::Unverified},
        m.request_receipt};
}

Settlement SettleCopies(std::span<const store::UnverifiedCopy> copies, const crypto::PublicKey& key,
                        const crypto::Identity& us)
{
    Settlement settlement;
    for (const auto& copy : copies) {
        std::optional<Verdict> verdict;
        try {
            const auto forwarded = xml::ParseDocument(copy.forwarded);
            if (const auto original = xmpp::Unwrap(forwarded))
                verdict = JudgeCarried(*original, &key, true, us);
        } catch (const std::exception&) {
            // We wrote it ourselves; unreadable now, it proves nothing.
        }
        if (!verdict || verdict->action != Action::Keep) {
            ++settlement.forged;
        } else if (!settlement.genuine) {
            settlement.genuine = std::move(verdict->item);
            settlement.genuine->via = copy.via;
            settlement.genuine->received = copy.received;
            settlement.request_receipt = verdict->request_receipt;
        }
    }
    return settlement;
}

} // namespace pigeon::inbox
