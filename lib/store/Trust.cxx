// The store, end-to-end part: keys we learnt and carried copies waiting for one.

#include "store/Impl.hxx"

namespace pigeon::store {

std::optional<Authenticity> Store::ReceivedAuthenticity(const std::string& sender,
                                                        const std::string& origin_id)
{
    auto rows = impl_->Collect(
        kInboxAuthenticity, [](auto& s) { return ParseAuthenticity(s.Text(0)); }, sender,
        origin_id);
    if (rows.empty())
        return std::nullopt;
    return rows.front();
}

void Store::SetKey(const std::string& bare_jid, const std::string& key, UnixMs learned)
{
    auto& s = (*impl_)[kSetKey];
    sqlite::ScopedReset reset(s);
    s.Bind(bare_jid, key, learned);
    s.Run();
}

std::optional<std::string> Store::Key(const std::string& bare_jid)
{
    return impl_->First(kGetKey, ReadText, bare_jid);
}

bool Store::AddUnverified(const InboxItem& item, const UnverifiedCopy& copy)
{
    sqlite::Transaction transaction(impl_->db);
    auto& insert = (*impl_)[kInsertInbox];
    sqlite::ScopedReset insert_reset(insert);
    insert.Bind(item.id, item.from, item.body, item.sent, item.received, item.via,
                ToString(item.authenticity));
    insert.Run();
    const bool fresh = impl_->db.Changes() > 0;
    if (fresh || ReceivedAuthenticity(item.from, item.id) == Authenticity::Unverified) {
        auto& keep = (*impl_)[kKeepCopy];
        sqlite::ScopedReset keep_reset(keep);
        keep.Bind(item.from, copy.id, copy.via, copy.forwarded, copy.received);
        keep.Run();
    }
    transaction.Commit();
    return fresh;
}

void Store::CountForged(int copies)
{
    impl_->BumpCounter("forged_refused", copies);
}

std::vector<UnverifiedCopy> Store::UnverifiedFrom(const std::string& sender)
{
    return impl_->Collect(
        kListCopies,
        [](auto& s) {
            return UnverifiedCopy{s.Text(0), s.Text(1), s.Text(2), s.Int(3)};
        },
        sender);
}

std::vector<std::string> Store::UnverifiedSenders()
{
    return impl_->Collect(kUnverifiedSenders, [](auto& s) { return s.Text(0); });
}

void Store::Settle(const std::string& sender, const std::string& origin_id,
                   const InboxItem* genuine, int forged)
{
    sqlite::Transaction transaction(impl_->db);
    if (genuine != nullptr) {
        auto& s = (*impl_)[kSettleInbox];
        sqlite::ScopedReset reset(s);
        s.Bind(sender, origin_id, genuine->body, genuine->sent, genuine->via,
               ToString(genuine->authenticity));
        s.Run();
    } else {
        auto& s = (*impl_)[kDeleteInbox];
        sqlite::ScopedReset reset(s);
        s.Bind(sender, origin_id);
        s.Run();
    }
    auto& forget = (*impl_)[kForgetCopies];
    sqlite::ScopedReset reset(forget);
    forget.Bind(sender, origin_id);
    forget.Run();
    impl_->BumpCounter("forged_refused", forged);
    transaction.Commit();
}

} // namespace pigeon::store
