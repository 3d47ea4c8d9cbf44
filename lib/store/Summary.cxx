// Summary vectors (doc/carry-protocol.md, "Summary vectors"): what we list
// for a neighbour at each contact, and what its list spared us.

#include "store/Impl.hxx"

namespace pigeon::store {

std::vector<SummaryEntry> Store::HeldForSummary(int limit)
{
    return impl_->Collect(
        kSummaryHeld,
        [](const sqlite::Statement& s) {
            return SummaryEntry{s.Text(0), s.Text(1), false};
        },
        std::int64_t{limit});
}

std::vector<SummaryEntry> Store::TombstonesForSummary(int limit, UnixMs now)
{
    return impl_->Collect(
        kSummaryTombstones,
        [](const sqlite::Statement& s) {
            return SummaryEntry{s.Text(0), s.Text(1), s.Int(2) != 0};
        },
        now, std::int64_t{limit});
}

void Store::CountSummarySkipped(std::int64_t skipped)
{
    if (skipped > 0)
        impl_->RunUnsynced(kBumpCounter, "summary_skipped", skipped);
}

} // namespace pigeon::store
