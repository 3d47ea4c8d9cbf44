#include "link/DirectDelivery.hxx"

#include "link/HandshakeLog.hxx"
#include "link/Neighbours.hxx"
#include "link/OutboxChat.hxx"
#include "link/Stream.hxx"
#include "store/Store.hxx"
#include "util/EventBus.hxx"

namespace pigeon::link {

DirectDelivery::DirectDelivery(store::Store& store, EventBus* events) noexcept
    : store_(store), events_(events)
{
}

bool DirectDelivery::HasWork(const std::string& instance, const Neighbour& neighbour)
{
    if (!store_.PendingForRecipient(instance, NowMs()).empty())
        return true;
    return !neighbour.jid.empty() && !store_.PendingForRecipient(neighbour.jid, NowMs()).empty();
}

void DirectDelivery::Deliver(const std::string& instance, const Neighbour& neighbour,
                             Stream& stream, const std::string& origin)
{
    const UnixMs now = NowMs();
    std::vector<store::OutboxItem> items = store_.PendingForRecipient(instance, now);
    if (!neighbour.jid.empty() && neighbour.jid != instance) {
        auto more = store_.PendingForRecipient(neighbour.jid, now);
        items.insert(items.end(), more.begin(), more.end());
    }
    auto& in_flight = in_flight_[instance];
    std::vector<std::string> sent;
    for (const auto& item : items) {
        if (!in_flight.insert(item.id).second)
            continue; // already on its way over this stream
        stream.Send(xmpp::ToStanza(OutboxChat(item, origin)));
        sent.push_back(item.id);
        // A chat-only client may never send a receipt: for it, handing the
        // message to its device is as far as we can follow it.
        if (!neighbour.carrier && store_.MarkSent(item.id, NowMs()))
            Publish(events_, [&] {
                return Event{
                    "sent",
                    0,
                    {{"id", item.id}, {"to", item.to}, {"via", std::string("link-local")}}};
            });
    }
    if (sent.empty())
        return;
    LogHandshake(store_, instance, "direct",
                 std::to_string(sent.size()) + " message(s) to the recipient");
    Publish(events_, [&] {
        return Event{
            "direct", 0, {{"to", instance}, {"count", std::int64_t(sent.size())}, {"ids", sent}}};
    });
}

void DirectDelivery::TakeReceipt(const std::string& instance, bool on_our_stream,
                                 const std::string& id)
{
    if (on_our_stream)
        if (const auto it = in_flight_.find(instance); it != in_flight_.end())
            it->second.erase(id);
    if (!store_.MarkDelivered(id, NowMs(), false, {"link-local", 0}))
        return;
    LogHandshake(store_, instance, "delivered", id);
    Publish(events_, [&] {
        return Event{
            "delivered", 0, {{"id", id}, {"by", instance}, {"route", std::string("direct")}}};
    });
}

bool DirectDelivery::Awaiting(const std::string& instance) const noexcept
{
    const auto it = in_flight_.find(instance);
    return it != in_flight_.end() && !it->second.empty();
}

void DirectDelivery::EndContact(const std::string& instance) noexcept
{
    in_flight_.erase(instance);
}

} // namespace pigeon::link
