// The store, our queue as handoffs read it: messages queued with their
// seals (schema 16), and the walk that makes the seals they lack.

#include "crypto/Random.hxx"
#include "store/Impl.hxx"

namespace pigeon::store {

OutboxItem Store::Enqueue(const std::string& to, const std::string& body, UnixMs created,
                          UnixMs expires, const SealFor& seal_for)
{
    OutboxItem item{
        crypto::NewOriginId(), to, body, created, OutboxState::Queued, 0, 0, {}, {}, 0, expires};
    if (seal_for)
        item.seal = seal_for(item);
    auto& s = (*impl_)[kInsertOutbox];
    sqlite::ScopedReset reset(s);
    s.Bind(item.id, item.to, item.body, item.created, item.expires, item.seal.signed_as,
           item.seal.sealed_for, item.seal.sealed, item.seal.signature);
    s.Run();
    return item;
}

std::vector<OutboxItem> Store::PendingForCarrier(const std::string& carrier, int max_carriers,
                                                 int limit, UnixMs now, const QueuePosition& after)
{
    return impl_->Collect(kPendingForCarrier, ReadQueued, carrier, max_carriers, limit,
                          after.created, after.id, now);
}

std::vector<OutboxItem> Store::UnsealedQueue(const std::string& origin, const QueuePosition& after,
                                             int limit)
{
    return impl_->Collect(kUnsealedQueue, ReadQueued, origin, after.created, after.id, limit);
}

void Store::SaveSeals(std::span<const OutboxItem> items)
{
    sqlite::Transaction transaction(impl_->db);
    for (const auto& item : items)
        impl_->Run(kSaveSeal, item.id, item.seal.signed_as, item.seal.sealed_for, item.seal.sealed,
                   item.seal.signature);
    transaction.Commit();
}

} // namespace pigeon::store
