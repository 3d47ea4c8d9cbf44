#include "link/CourierDesk.hxx"

#include "inbox/Receiver.hxx"
#include "link/CourierProtocol.hxx"
#include "link/HandshakeLog.hxx"
#include "link/Stream.hxx"
#include "sqlite/Error.hxx"
#include "store/Store.hxx"
#include "util/Log.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Message.hxx"

#include <algorithm>
#include <system_error>

namespace pigeon::link {
namespace {

std::string_view StatusOf(inbox::Outcome outcome) noexcept
{
    switch (outcome) {
    case inbox::Outcome::Held:
    case inbox::Outcome::HeldAgain:
        return kHeld;
    case inbox::Outcome::Refused:
    case inbox::Outcome::Dropped:
        return kRefused;
    case inbox::Outcome::Fresh:
    case inbox::Outcome::Settled:
    case inbox::Outcome::Duplicate:
        break;
    }
    return kReceived;
}

} // namespace

CourierDesk::CourierDesk(store::Store& store, inbox::Receiver& receiver,
                         const LinkConfig& config) noexcept
    : store_(store), receiver_(receiver), config_(config)
{
}

void CourierDesk::TakeDelivery(Stream& stream, const xml::Element& iq, const std::string& carrier,
                               const std::vector<std::string>& us)
{
    Kept kept;
    try {
        kept = Keep(iq, carrier, us);
    } catch (const std::system_error& e) {
        if (!sqlite::IsOutOfSpace(e.code()))
            throw;
        stream.Send(xmpp::MakeIqError(iq, "wait", "resource-constraint", "out of disk space"));
        LogHandshake(store_, stream.PeerInstance(), "delivery refused",
                     std::string("out of disk space: ") + e.what());
        return;
    }
    // Committed above, answered now.
    stream.Send(MakeDeliverResult(iq, kept.answer));
    LogHandshake(store_, stream.PeerInstance(), "received carried",
                 std::to_string(kept.fresh) + " new of " + std::to_string(kept.answer.size()) +
                     " from " + carrier);
    if (config_.on_receipt)
        for (const auto& [origin, id] : kept.receipts)
            config_.on_receipt(origin, id);
}

CourierDesk::Kept CourierDesk::Keep(const xml::Element& iq, const std::string& carrier,
                                    const std::vector<std::string>& us)
{
    Kept kept;
    for (const auto& child : FindDeliver(iq)->children) {
        const auto original = child.IsText() ? std::nullopt : xmpp::Unwrap(child);
        if (!original)
            continue; // nothing to name in an answer
        const auto& m = original->message;
        const std::string origin = xmpp::BareOf(m.from);
        const std::string to = xmpp::BareOf(m.to);
        if (std::find(us.begin(), us.end(), to) == us.end()) {
            kept.answer.push_back({m.from, m.id, std::string(kRefused), {}});
            continue; // not ours: the carrier keeps it for its recipient
        }
        const auto text = store_.Key(origin);
        const auto key = text ? crypto::ParsePublicKey(*text) : std::nullopt;
        const auto received =
            receiver_.TakeCarried(child, *original, carrier, key ? &*key : nullptr, false);
        kept.fresh += received.IsNew() ? 1 : 0;
        DeliveredItem item{m.from, m.id, std::string(StatusOf(received.outcome)), {}};
        if (received.receipt_due) {
            item.receipt = xmpp::SignReceipt(*config_.identity, to, origin, m.id);
            kept.receipts.emplace_back(origin, m.id);
        }
        kept.answer.push_back(std::move(item));
    }
    return kept;
}

void CourierDesk::TakeReports(Stream& stream, const xml::Element& iq, const std::string& carrier,
                              const std::string& origin)
{
    int delivered = 0;
    for (auto& report : ParseReports(*FindReports(iq))) {
        report.carrier = carrier; // the stream's identity, whatever the report claims
        const auto custody = receiver_.TakeReport(report, origin, false, NowMs());
        if (custody == inbox::Custody::Delivered)
            ++delivered;
        else if (custody == inbox::Custody::Doubted)
            log::Warning("link", carrier + " says " + report.id + " was delivered to " + report.to +
                                     ", which did not sign that");
    }
    stream.Send(xmpp::MakeIqResult(iq));
    if (delivered > 0)
        LogHandshake(store_, stream.PeerInstance(), "delivered",
                     std::to_string(delivered) + " of ours, as " + carrier + " reports");
}

} // namespace pigeon::link
