// Fair storage: what we carry for others, by neighbour and by origin, and
// the order in which copies make room (doc/carry-protocol.md, "Quotas").

#include "store/Impl.hxx"

namespace pigeon::store {

std::map<std::string, CarriedLoad> Store::CarriedByPeer()
{
    std::map<std::string, CarriedLoad> loads;
    auto& s = (*impl_)[kCarriedByPeer];
    sqlite::ScopedReset reset(s);
    while (s.Step())
        loads.emplace(s.Text(0), CarriedLoad{s.Int(1), s.Int(2)});
    return loads;
}

CarriedLoad Store::CarriedFromOrigin(const std::string& origin)
{
    return *impl_->First(
        kCarriedFromOrigin,
        [](const auto& s) {
            return CarriedLoad{s.Int(0), s.Int(1)};
        },
        origin);
}

std::vector<HeldCopy> Store::EvictionOrder(const std::string& peer, int limit, std::int64_t skip)
{
    return impl_->Collect(
        kEvictionOrder,
        [](const sqlite::Statement& s) {
            return HeldCopy{s.Int(0), s.Text(1), s.Text(2), s.Int(3)};
        },
        peer, limit, skip);
}

} // namespace pigeon::store
