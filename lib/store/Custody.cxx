// The store, delivery part: where we got to in our server's archive, what
// carriers report on our messages, and what we, as a carrier, learnt of the
// messages we carried and still owe their origins, and which origins a
// tombstone concerns.

#include "store/Impl.hxx"

namespace pigeon::store {
namespace {

const char* ToText(CarriedNews news) noexcept
{
    return news == CarriedNews::Delivered ? "delivered" : "uploaded";
}

} // namespace

std::optional<std::string> Store::SyncValue(const std::string& name)
{
    return impl_->First(kGetSync, ReadText, name);
}

void Store::SetSyncValue(const std::string& name, const std::string& value)
{
    impl_->Run(kSetSync, name, value);
}

bool Store::MarkCarrierUploaded(const std::string& origin_id, const std::string& carrier,
                                UnixMs when)
{
    return impl_->Run(kMarkCustody, origin_id, carrier, when) > 0;
}

bool Store::MarkReportedDelivered(const std::string& origin_id, const std::string& carrier,
                                  UnixMs when, const std::string& receipt)
{
    return impl_->Run(kMarkReported, origin_id, carrier, when, receipt) > 0;
}

bool Store::MarkRefusedByRecipient(const std::string& origin_id, UnixMs when)
{
    const bool news = impl_->Run(kMarkRefused, origin_id, when) > 0;
    impl_->requeued += news;
    return news;
}

std::uint64_t Store::Requeued() const noexcept
{
    return impl_->requeued;
}

std::vector<std::pair<OutboxItem, PendingReport>> Store::PendingReports()
{
    std::vector<std::pair<OutboxItem, PendingReport>> reports;
    for (auto& [id, receipt] :
         impl_->Collect(kListReported, [](auto& s) { return std::pair(s.Text(0), s.Text(2)); })) {
        if (auto item = OutboxById(id))
            reports.emplace_back(std::move(*item), PendingReport{id, std::move(receipt)});
    }
    return reports;
}

void Store::RevertReport(const std::string& origin_id)
{
    impl_->Run(kRevertReport, origin_id);
}

std::optional<UnixMs> Store::EarliestCustody(UnixMs after)
{
    auto& s = (*impl_)[kNextCustodyWait];
    sqlite::ScopedReset reset(s);
    s.Bind(after);
    if (!s.Step() || s.IsNull(0))
        return std::nullopt;
    return s.Int(0);
}

std::vector<std::string> Store::CustodyRecipients()
{
    return impl_->Collect(kCustodyRecipients, ReadText);
}

std::vector<CarriedItem> Store::CarriedFor(const std::string& recipient, int limit, UnixMs now)
{
    return impl_->Collect(kCarriedFor, ReadCarried, recipient, limit, now);
}

bool Store::MarkCarriedDelivered(const std::string& origin, const std::string& origin_id,
                                 UnixMs when, const std::string& receipt, bool by_us)
{
    sqlite::Transaction transaction(impl_->db);
    const bool news = impl_->Run(kMarkCarriedDelivered, origin, origin_id, when, receipt) > 0;
    if (news && by_us)
        impl_->BumpCounter("delivered_for_others", 1);
    transaction.Commit();
    return news;
}

std::optional<std::string> Store::CarriedOrigin(const std::string& origin_id,
                                                const std::string& recipient)
{
    return impl_->First(kCarriedOrigin, ReadText, origin_id, recipient);
}

std::vector<CarrierNews> Store::NewsDue(int limit)
{
    return impl_->Collect(kNewsDue, ReadNews, limit);
}

std::vector<CarrierNews> Store::NewsFor(const std::string& origin, int limit)
{
    return impl_->Collect(kNewsFor, ReadNews, origin, limit);
}

void Store::MarkTold(const std::string& origin, const std::string& origin_id, CarriedNews news)
{
    impl_->Run(kMarkTold, origin, origin_id, ToText(news));
}

bool Store::HasTombstoneOf(std::int64_t after, UnixMs now, const std::string& name,
                           const std::string& other_name)
{
    return impl_
        ->First(
            kTombstoneOf, [](const sqlite::Statement&) { return true; }, after, now, name,
            other_name)
        .has_value();
}

} // namespace pigeon::store
