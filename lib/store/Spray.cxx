// Binary spray-and-wait: carried copies with a budget to hand on, and what
// handing them on costs (doc/carry-protocol.md, "Copy budgets and paths").

#include "store/Impl.hxx"

namespace pigeon::store {

std::vector<HandOnCandidate> Store::ToHandOn(const std::string& peer, std::int64_t after, int limit,
                                             UnixMs now)
{
    return impl_->Collect(
        kToHandOn,
        [](const sqlite::Statement& s) {
            return HandOnCandidate{ReadCarried(s), s.Int(13)};
        },
        peer, after, now, limit);
}

void Store::RecordRelays(const std::string& peer, std::span<const Relayed> relayed, UnixMs when)
{
    sqlite::Transaction transaction(impl_->db);
    for (const auto& copy : relayed) {
        const int added = impl_->Run(kRecordRelay, copy.row, peer, when, std::int64_t{copy.copies});
        // Only a copy it stored took budget from us; one it held already did not.
        if (added > 0 && copy.stored)
            impl_->Run(kSpendCopies, copy.row, std::int64_t{copy.copies});
    }
    transaction.Commit();
}

std::vector<bool> Store::RetakeCopies(std::span<const CarriedItem> items)
{
    sqlite::Transaction transaction(impl_->db);
    std::vector<bool> retaken;
    retaken.reserve(items.size());
    for (const auto& item : items) {
        const auto held = impl_->Collect(
            kHeldCopy,
            [](const sqlite::Statement& s) {
                return std::pair{s.Int(0), s.Int(1) != 0};
            },
            item.origin, item.id, item.from_peer);
        retaken.push_back(!held.empty());
        for (const auto& [row, relayed] : held)
            if (!relayed) // else some of its share is spent: its budget stays
                impl_->Run(kRetakeCopy, row, std::int64_t{item.copies});
    }
    transaction.Commit();
    return retaken;
}

} // namespace pigeon::store
