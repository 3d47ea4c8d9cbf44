// Taking in the copies neighbours hand us to carry (doc/carry-protocol.md):
// the part of a carrier's work done for every copy of every batch.

#include "crypto/Identity.hxx"
#include "store/Impl.hxx"

#include <algorithm>
#include <map>
#include <optional>

namespace pigeon::store {

std::vector<bool> Store::AddCarried(std::span<const CarriedItem> items,
                                    std::span<const std::int64_t> evict, Commit commit)
{
    std::optional<Impl::Unsynced> unsynced;
    if (commit == Commit::kDeferred)
        unsynced.emplace(*impl_);
    sqlite::Transaction transaction(impl_->db);
    for (const auto row : evict)
        impl_->Run(kEvictCarried, row);
    std::vector<bool> added;
    added.reserve(items.size());
    std::map<std::pair<std::string_view, std::string>, CarriedLoad> loads; // by kind and name
    for (const auto& item : items) {
        added.push_back(AddOneCarried(item));
        if (!added.back())
            continue;
        const auto bytes = std::int64_t(item.payload.size());
        for (auto* load : {&loads[{"peer", item.from_peer}], &loads[{"origin", item.origin}]})
            *load = {load->messages + 1, load->bytes + bytes};
    }
    for (const auto& [key, load] : loads)
        impl_->Run(kAddCarriedLoad, std::string(key.first), key.second, load.messages, load.bytes);
    impl_->BumpCounter("carried_for_others", std::count(added.begin(), added.end(), true));
    transaction.Commit();
    if (unsynced)
        ++impl_->deferred_commits;
    return added;
}

bool Store::AddOneCarried(const CarriedItem& item)
{
    // One look at the copies we hold of this message, instead of a statement
    // for each question, most of which find nothing: is one of them this copy
    // as stored before schema 10 (no digest, the same bytes); which ones came
    // by way of other carriers.
    std::vector<std::int64_t> relayed;
    {
        auto& copies = (*impl_)[kCopiesOf];
        sqlite::ScopedReset reset(copies);
        copies.BindBorrowed(item.origin, item.id, item.payload);
        while (copies.Step()) {
            if (copies.Int(1) != 0)
                return false;
            if (copies.Int(2) != 0)
                relayed.push_back(copies.Int(0));
        }
    }
    // Straight from its origin: any copy of it another carrier handed us
    // (which may have come first) would only be a second upload. It goes
    // first: a relay passes the bytes on unchanged, so that copy would
    // otherwise keep this one out as a duplicate of it.
    if (item.path.find('\n') == std::string::npos)
        for (const auto row : relayed)
            impl_->Run(kEvictCarried, row);
    const std::string digest = crypto::Digest(item.payload);
    auto& s = (*impl_)[kInsertCarried];
    sqlite::ScopedReset reset(s); // before `digest` goes
    s.BindBorrowed(item.id, item.origin, item.to, item.from_peer, item.sent, item.received,
                   item.expires, item.payload, std::int64_t(item.payload.size()), digest,
                   std::int64_t{item.copies}, item.path);
    s.Run();
    return impl_->db.Changes() > 0;
}

} // namespace pigeon::store
