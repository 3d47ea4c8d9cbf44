#include "link/Courier.hxx"

#include "crypto/Identity.hxx"
#include "crypto/Random.hxx"
#include "inbox/CarrierReport.hxx"
#include "link/CarryAnswer.hxx"
#include "link/CourierProtocol.hxx"
#include "link/HandshakeLog.hxx"
#include "link/Neighbours.hxx"
#include "link/SprayRules.hxx"
#include "link/Stream.hxx"
#include "store/Store.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Message.hxx"

#include <algorithm>

namespace pigeon::link {
namespace {

// Messages per request; fewer when their bytes reach the batch size.
constexpr int kBatch = 100;

std::string KeyOf(const store::CarriedItem& item)
{
    return item.origin + "\n" + item.id;
}

} // namespace

Courier::Courier(boost::asio::io_context& io, store::Store& store, const LinkConfig& config,
                 Retry retry) noexcept
    : io_(io), store_(store), config_(config), retry_(std::move(retry))
{
}

std::vector<store::CarriedItem> Courier::ForRecipient(const std::string& instance,
                                                      const Neighbour& neighbour,
                                                      const Contact& contact)
{
    std::vector<store::CarriedItem> items;
    std::size_t bytes = 0;
    for (const auto& name : NamesOf(instance, neighbour))
        for (auto& item : store_.CarriedFor(name, kBatch, NowMs())) {
            if (std::find(contact.declined.begin(), contact.declined.end(), KeyOf(item)) !=
                contact.declined.end())
                continue;
            if (!items.empty() && bytes + item.payload.size() > config_.batch_bytes)
                return items;
            bytes += item.payload.size();
            items.push_back(std::move(item));
        }
    return items;
}

std::vector<store::CarrierNews> Courier::ForOrigin(const std::string& instance,
                                                   const Neighbour& neighbour)
{
    std::vector<store::CarrierNews> news;
    for (const auto& name : NamesOf(instance, neighbour)) {
        auto more = store_.NewsFor(name, kBatch);
        news.insert(news.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
    }
    return news;
}

bool Courier::HasWork(const std::string& instance, const Neighbour& neighbour)
{
    if (!neighbour.carrier)
        return false; // only a pigeon takes a carried copy, or a report
    const auto it = contacts_.find(instance);
    const Contact none;
    const Contact& contact = it != contacts_.end() ? it->second : none;
    return !contact.refused &&
           ((contact.deliver_iq.empty() && !ForRecipient(instance, neighbour, contact).empty()) ||
            (contact.report_iq.empty() && !ForOrigin(instance, neighbour).empty()));
}

void Courier::Pump(const std::string& instance, const Neighbour& neighbour, Stream& stream,
                   const std::string& self)
{
    if (!neighbour.carrier)
        return;
    auto& contact = contacts_[instance];
    if (contact.refused)
        return;
    if (contact.deliver_iq.empty()) {
        auto items = ForRecipient(instance, neighbour, contact);
        if (!items.empty()) {
            contact.deliver_iq = "deliver-" + std::to_string(++next_iq_);
            std::vector<std::string> unreadable; // we wrote them: nothing to hand over
            stream.Send(MakeDeliverRequest(contact.deliver_iq, items, &unreadable));
            for (const auto& id : unreadable)
                LogHandshake(store_, instance, "unreadable", "a carried copy of " + id);
            LogHandshake(store_, instance, "delivering",
                         std::to_string(items.size()) + " carried message(s) to their recipient");
            contact.delivering = std::move(items);
            contact.self = self;
        }
    }
    if (contact.report_iq.empty()) {
        auto news = ForOrigin(instance, neighbour);
        if (!news.empty()) {
            std::vector<xmpp::CustodyReport> reports;
            for (const auto& item : news) {
                reports.push_back(inbox::ReportOf(item, self));
                xmpp::Sign(reports.back(), *config_.identity);
            }
            contact.report_iq = "report-" + std::to_string(++next_iq_);
            stream.Send(MakeReportsRequest(contact.report_iq, reports));
            contact.reporting = std::move(news);
            Awaiting(contact, stream, "reports");
        }
    }
}

bool Courier::Awaiting(const std::string& instance) const noexcept
{
    const auto it = contacts_.find(instance);
    return it != contacts_.end() &&
           (!it->second.deliver_iq.empty() || !it->second.report_iq.empty());
}

bool Courier::Awaits(const std::string& instance, std::string_view iq_id) const noexcept
{
    const auto it = contacts_.find(instance);
    return it != contacts_.end() && !iq_id.empty() &&
           (it->second.deliver_iq == iq_id || it->second.report_iq == iq_id);
}

void Courier::Awaiting(Contact& contact, Stream& stream, const char* what)
{
    if (!contact.deadline)
        contact.deadline = std::make_unique<ReplyDeadline>(io_, store_);
    contact.deadline->Arm(stream, what);
}

void Courier::TakeReply(const std::string& instance, const xml::Element& iq)
{
    const auto it = contacts_.find(instance);
    if (it == contacts_.end())
        return;
    auto& contact = it->second;
    if (iq.Attr("id") == contact.deliver_iq)
        TakeDelivered(instance, contact, iq);
    else if (iq.Attr("id") == contact.report_iq)
        TakeReported(instance, contact, iq);
    if (contact.deliver_iq.empty() && contact.report_iq.empty() && contact.deadline)
        contact.deadline->Disarm();
}

void Courier::TakeDelivered(const std::string& instance, Contact& contact, const xml::Element& iq)
{
    const auto items = std::move(contact.delivering);
    contact.delivering.clear();
    contact.deliver_iq.clear();
    if (iq.Attr("type") == "error") {
        LogHandshake(store_, instance, "delivery refused", Refused(instance, contact, iq));
        return;
    }
    contact.refused_for_now = 0;
    const auto answers = ParseDeliverResult(iq);
    int taken = 0;
    for (const auto& item : items) {
        const auto answer = std::find_if(answers.begin(), answers.end(), [&](const auto& a) {
            return a.origin == item.origin && a.id == item.id;
        });
        // Only a receipt it signed ends our part; a key we know must bear it
        // out (without one, the origin checks it).
        const auto key = store_.Key(xmpp::BareOf(item.to));
        const auto parsed = key ? crypto::ParsePublicKey(*key) : std::nullopt;
        const bool receipt =
            answer != answers.end() && answer->status == kReceived && !answer->receipt.empty() &&
            (!parsed || xmpp::CheckReceipt(*parsed, xmpp::BareOf(item.to),
                                           xmpp::BareOf(item.origin), item.id, answer->receipt));
        if (!receipt)
            contact.declined.push_back(KeyOf(item)); // we keep uploading it
        else if (store_.MarkCarriedDelivered(item.origin, item.id, NowMs(), answer->receipt, true))
            ++taken;
        if (receipt) // a tombstone for the others; proof to those who know the recipient's key
            store_.AddTombstone({xmpp::BareOf(item.origin), item.id, xmpp::BareOf(item.to),
                                 item.expires, answer->receipt, parsed.has_value(), 0, contact.self,
                                 PathHops(item.path)},
                                NowMs());
    }
    LogHandshake(store_, instance, "delivered",
                 std::to_string(taken) + " of " + std::to_string(items.size()) +
                     " carried message(s) taken by their recipient");
}

void Courier::TakeReported(const std::string& instance, Contact& contact, const xml::Element& iq)
{
    const auto news = std::move(contact.reporting);
    contact.reporting.clear();
    contact.report_iq.clear();
    if (iq.Attr("type") == "error") {
        LogHandshake(store_, instance, "reports refused", Refused(instance, contact, iq));
        return;
    }
    for (const auto& item : news)
        store_.MarkTold(item.origin, item.id, item.news);
    LogHandshake(store_, instance, "reported",
                 std::to_string(news.size()) + " carried message(s) to their origin");
}

std::string Courier::Refused(const std::string& instance, Contact& contact, const xml::Element& iq)
{
    const std::string condition = xmpp::ErrorCondition(iq);
    if (contact.refused)
        return condition; // its other request was refused already: one wait for both
    contact.refused = true;
    if (xmpp::ErrorType(iq) != "wait")
        return condition;
    const auto delay =
        RetryDelay(contact.refused_for_now++, double(crypto::RandomBelow(1000)) / 1000.0);
    if (!contact.retry_timer)
        contact.retry_timer = std::make_unique<boost::asio::steady_timer>(io_);
    contact.retry_timer->expires_after(delay);
    contact.retry_timer->async_wait(
        [this, alive = alive_.Watch(), instance](boost::system::error_code ec) {
            if (ec || alive.Gone())
                return;
            Forgive(instance);
            retry_(instance);
        });
    return condition + AskingAgainIn(delay);
}

void Courier::Forgive(const std::string& instance) noexcept
{
    if (const auto it = contacts_.find(instance); it != contacts_.end())
        it->second.refused = false;
}

void Courier::EndContact(const std::string& instance) noexcept
{
    const auto it = contacts_.find(instance);
    if (it == contacts_.end())
        return;
    // What was in flight is offered again; a refusal and its backoff stand.
    auto& contact = it->second;
    if (contact.deadline)
        contact.deadline->Disarm();
    contact.deliver_iq.clear();
    contact.delivering.clear();
    contact.report_iq.clear();
    contact.reporting.clear();
    contact.declined.clear();
}

void Courier::Forget(const std::string& instance) noexcept
{
    contacts_.erase(instance);
}

} // namespace pigeon::link
