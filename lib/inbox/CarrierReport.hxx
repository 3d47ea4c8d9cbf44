#pragma once
// A carrier's news about a message it carried, as the report it makes to the
// origin, whichever way it goes (our server, or a stream with the origin).

#include "store/Model.hxx"
#include "xmpp/Custody.hxx"

#include <string>

namespace pigeon::inbox {

// Unsigned; `carrier` is our name as the origin knows us (our account, or
// our link-local name).
inline xmpp::CustodyReport ReportOf(const store::CarrierNews& news, const std::string& carrier)
{
    const bool delivered = news.news == store::CarriedNews::Delivered;
    return {news.origin, news.id,
            news.to,     std::string(delivered ? xmpp::kDelivered : xmpp::kUploaded),
            carrier,     delivered ? news.receipt : std::string()};
}

} // namespace pigeon::inbox
