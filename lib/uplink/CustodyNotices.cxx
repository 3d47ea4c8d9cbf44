#include "uplink/CustodyNotices.hxx"

#include "inbox/CarrierReport.hxx"
#include "store/Store.hxx"
#include "uplink/KeyDirectory.hxx"
#include "uplink/ServerLink.hxx"
#include "util/Log.hxx"
#include "xmpp/Custody.hxx"
#include "xmpp/Namespaces.hxx"

namespace pigeon::uplink {
namespace {

// Enough for one flush; the rest follows on the next.
constexpr int kBatch = 500;

} // namespace

CustodyNotices::CustodyNotices(store::Store& store, ServerLink& link, const KeyDirectory& keys,
                               const crypto::Identity& us) noexcept
    : store_(store), link_(link), keys_(keys), us_(us)
{
}

void CustodyNotices::Flush() noexcept
{
    try {
        for (const auto& news : store_.NewsDue(kBatch)) {
            auto report = inbox::ReportOf(news, link_.Config().account);
            const std::string key = news.origin + "\n" + news.id + "\n" + report.status;
            if (!sending_.insert(key).second)
                continue;
            xmpp::Sign(report, us_);
            xml::Element message("message", std::string(xmpp::ns::kClient));
            message.SetAttr("to", news.origin);
            message.SetAttr("id", "custody-" + report.status + "-" + news.id);
            message.AddChild(xmpp::ToElement(report));
            keys_.Attach(message); // our server vouches for it: the origin checks our signature
            // The origin is usually away: kept offline and in its archive (XEP-0334).
            message.AddChild(xml::Element("store", std::string(xmpp::ns::kHints)));
            link_.Send(std::move(message), [this, key, news](bool accepted) {
                sending_.erase(key);
                if (!accepted)
                    return; // told on the next flush
                try {
                    store_.MarkTold(news.origin, news.id, news.news);
                    log::Info("uplink",
                              "told " + news.origin + " that " + news.id + " was " +
                                  (news.news == store::CarriedNews::Delivered ? "delivered"
                                                                              : "uploaded"));
                } catch (const std::exception& e) {
                    log::Error("uplink", std::string("recording a notice: ") + e.what());
                }
            });
        }
    } catch (const std::exception& e) {
        log::Error("uplink", std::string("telling origins: ") + e.what());
    }
}

} // namespace pigeon::uplink
