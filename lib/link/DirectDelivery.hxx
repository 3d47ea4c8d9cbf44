#pragma once
// Direct delivery: when the recipient of a queued message is itself a
// neighbour (by instance name, or by the account its TXT record names), the
// message goes to it over the stream, no carrier needed, and its XEP-0184
// receipt marks it delivered.

#include <map>
#include <set>
#include <string>

namespace pigeon {
class EventBus;
} // namespace pigeon
namespace pigeon::store {
class Store;
} // namespace pigeon::store

namespace pigeon::link {

class Stream;
struct Neighbour;

class DirectDelivery {
public:
    // `events` may be null.
    DirectDelivery(store::Store& store, EventBus* events) noexcept;

    // Whether something of ours is addressed to this neighbour. Throws what
    // the store throws.
    bool HasWork(const std::string& instance, const Neighbour& neighbour);
    // Sends over `stream` what is addressed to the neighbour and not already
    // on its way over this stream, from `origin`. Throws what the store throws.
    void Deliver(const std::string& instance, const Neighbour& neighbour, Stream& stream,
                 const std::string& origin);
    // A receipt for our message `id` came from `instance`, over the stream we
    // deliver over (`on_our_stream`) or another one. Throws what the store throws.
    void TakeReceipt(const std::string& instance, bool on_our_stream, const std::string& id);
    // Whether a message sent to `instance` over the current stream awaits its receipt.
    bool Awaiting(const std::string& instance) const noexcept;
    // The stream with `instance` is gone: what was on its way may be sent again.
    void EndContact(const std::string& instance) noexcept;

private:
    store::Store& store_;
    EventBus* events_;
    // By instance: the messages sent over the current stream, awaiting a receipt.
    std::map<std::string, std::set<std::string>> in_flight_;
};

} // namespace pigeon::link
