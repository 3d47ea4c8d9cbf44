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
    std::vector<bool> retaken(items.size(), false);
    std::vector<std::size_t> held;
    const auto found = [](const sqlite::Statement&) { return true; };
    for (std::size_t i = 0; i < items.size(); ++i)
        if (impl_->First(kHeldFromPeer, found, items[i].origin, items[i].id, items[i].from_peer))
            held.push_back(i);
    if (held.empty())
        return retaken; // nothing to write: no transaction
    sqlite::Transaction transaction(impl_->db);
    for (const auto i : held)
        retaken[i] = impl_->Run(kRetakeCopy, items[i].origin, items[i].id, items[i].from_peer,
                                std::int64_t{items[i].copies}) > 0;
    transaction.Commit();
    return retaken;
}

} // namespace pigeon::store
