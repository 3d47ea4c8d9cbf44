#include "link/DirectDelivery.hxx"

#include "link/HandshakeLog.hxx"
#include "link/Neighbours.hxx"
#include "link/OutboxChat.hxx"
#include "link/Stream.hxx"
#include "store/Store.hxx"

namespace pigeon::link {

DirectDelivery::DirectDelivery(store::Store& store) noexcept : store_(store)
{
}

bool DirectDelivery::HasWork(const std::string& instance, const Neighbour& neighbour)
{
    if (!store_.PendingForRecipient(instance).empty())
        return true;
    return !neighbour.jid.empty() && !store_.PendingForRecipient(neighbour.jid).empty();
}

void DirectDelivery::Deliver(const std::string& instance, const Neighbour& neighbour,
                             Stream& stream, const std::string& origin)
{
    std::vector<store::OutboxItem> items = store_.PendingForRecipient(instance);
    if (!neighbour.jid.empty() && neighbour.jid != instance) {
        auto more = store_.PendingForRecipient(neighbour.jid);
        items.insert(items.end(), more.begin(), more.end());
    }
    auto& in_flight = in_flight_[instance];
    int sent = 0;
    for (const auto& item : items) {
        if (!in_flight.insert(item.id).second)
            continue; // already on its way over this stream
        stream.Send(xmpp::ToStanza(OutboxChat(item, origin)));
        ++sent;
        // A chat-only client may never send a receipt: for it, handing the
        // message to its device is as far as we can follow it.
        if (!neighbour.carrier)
            store_.MarkSent(item.id, NowMs());
    }
    if (sent > 0)
        LogHandshake(store_, instance, "direct",
                     std::to_string(sent) + " message(s) to the recipient");
}

void DirectDelivery::TakeReceipt(const std::string& instance, bool on_our_stream,
                                 const std::string& id)
{
    if (on_our_stream)
        if (const auto it = in_flight_.find(instance); it != in_flight_.end())
            it->second.erase(id);
    if (store_.MarkDelivered(id, NowMs(), false))
        LogHandshake(store_, instance, "delivered", id);
}

void DirectDelivery::EndContact(const std::string& instance) noexcept
{
    in_flight_.erase(instance);
}

} // namespace pigeon::link
