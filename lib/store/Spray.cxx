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
    std::vector<std::int64_t> budget_to; // rows of ours none of whose share is spent
    for (const auto& item : items) {
        auto& held = (*impl_)[kHeldCopy];
        sqlite::ScopedReset reset(held);
        held.BindBorrowed(item.origin, item.id, item.from_peer);
        bool found = false;
        budget_to.clear();
        while (held.Step()) {
            found = true;
            if (held.Int(1) == 0)
                budget_to.push_back(held.Int(0));
        }
        retaken.push_back(found);
        for (const auto row : budget_to)
            impl_->Run(kRetakeCopy, row, std::int64_t{item.copies});
    }
    transaction.Commit();
    return retaken;
}

} // namespace pigeon::store
