#pragma once
// What happens in the daemon, for whoever watches it live (pigeonctl watch,
// send --wait): the parts that do things publish events on one bus, and
// subscribers hear each one at once, on the loop, in order. Nothing is kept:
// the store is the record, the bus only says "now".

#include "util/Alive.hxx"
#include "util/Time.hxx"

#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace pigeon {

struct Event {
    // Text, a number, or a list of texts (the ids a handoff took).
    using Value = std::variant<std::string, std::int64_t, std::vector<std::string>>;

    // A stable word of the control protocol (doc/control-protocol.md lists
    // them), e.g. "neighbour-up", "handoff", "received".
    std::string kind;
    UnixMs at = 0;
    std::vector<std::pair<std::string, Value>> fields;

    // The text of `name`, or empty if absent or a number.
    std::string_view Text(std::string_view name) const noexcept;
};

class EventBus {
public:
    using Subscriber = std::function<void(const Event&)>;

    // Ends its subscription when destroyed; harmless after the bus is gone.
    class Subscription {
    public:
        Subscription() = default;
        Subscription(Subscription&& other) noexcept;
        Subscription& operator=(Subscription&& other) noexcept;
        ~Subscription();

    private:
        friend class EventBus;
        Subscription(EventBus& bus, std::uint64_t id) noexcept;
        void Cancel() noexcept;

        EventBus* bus_ = nullptr;
        Alive::Token bus_alive_;
        std::uint64_t id_ = 0;
    };

    EventBus() = default;
    EventBus(const EventBus&) = delete;
    EventBus& operator=(const EventBus&) = delete;

    // Throws std::bad_alloc only.
    [[nodiscard]] Subscription Subscribe(Subscriber subscriber);
    // Hands `event` (its time set to now if unset) to every subscriber. A
    // subscriber may end any subscription, its own included, from within;
    // one that throws is logged and the others still hear the event.
    void Publish(Event event) noexcept;
    // Whether anyone listens: an event nobody hears need not be built.
    bool Heard() const noexcept { return !subscribers_.empty(); }

    // Logs an event that could not be built.
    static void Lost(const std::exception& e) noexcept;

private:
    std::map<std::uint64_t, std::shared_ptr<Subscriber>> subscribers_;
    std::uint64_t next_id_ = 0;
    Alive alive_;
};

// What the parts of the daemon call: builds the event with `make` only if
// `bus` is set and heard, so that publishing costs nothing while nobody
// watches. Never throws: an event that cannot be built is logged and lost.
template <typename Make> void Publish(EventBus* bus, Make&& make) noexcept
{
    if (bus == nullptr || !bus->Heard())
        return;
    try {
        bus->Publish(make());
    } catch (const std::exception& e) {
        EventBus::Lost(e);
    }
}

} // namespace pigeon
