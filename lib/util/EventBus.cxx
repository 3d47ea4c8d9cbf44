#include "util/EventBus.hxx"

#include "util/Log.hxx"

namespace pigeon {

std::string_view Event::Text(std::string_view name) const noexcept
{
    for (const auto& [key, value] : fields)
        if (key == name)
            if (const auto* text = std::get_if<std::string>(&value))
                return *text;
    return {};
}

EventBus::Subscription::Subscription(EventBus& bus, std::uint64_t id) noexcept
    : bus_(&bus), bus_alive_(bus.alive_.Watch()), id_(id)
{
}

EventBus::Subscription::Subscription(Subscription&& other) noexcept
    : bus_(std::exchange(other.bus_, nullptr)), bus_alive_(std::move(other.bus_alive_)),
      id_(other.id_)
{
}

EventBus::Subscription& EventBus::Subscription::operator=(Subscription&& other) noexcept
{
    if (this != &other) {
        Cancel();
        bus_ = std::exchange(other.bus_, nullptr);
        bus_alive_ = std::move(other.bus_alive_);
        id_ = other.id_;
    }
    return *this;
}

EventBus::Subscription::~Subscription()
{
    Cancel();
}

void EventBus::Subscription::Cancel() noexcept
{
    if (bus_ != nullptr && !bus_alive_.Gone())
        bus_->subscribers_.erase(id_);
    bus_ = nullptr;
}

EventBus::Subscription EventBus::Subscribe(Subscriber subscriber)
{
    const std::uint64_t id = ++next_id_;
    subscribers_.emplace(id, std::make_shared<Subscriber>(std::move(subscriber)));
    return Subscription(*this, id);
}

void EventBus::Publish(Event event) noexcept
{
    if (subscribers_.empty())
        return;
    if (event.at == 0)
        event.at = NowMs();
    // A snapshot: subscribers may come and go while we call them.
    std::vector<std::pair<std::uint64_t, std::shared_ptr<Subscriber>>> now;
    try {
        now.assign(subscribers_.begin(), subscribers_.end());
    } catch (const std::exception& e) {
        log::Error("events", std::string("cannot publish: ") + e.what());
        return;
    }
    const auto alive = alive_.Watch();
    for (const auto& [id, subscriber] : now) {
        if (alive.Gone())
            return;
        if (!subscribers_.contains(id))
            continue;
        try {
            (*subscriber)(event);
        } catch (const std::exception& e) {
            log::Error("events", "a subscriber to " + event.kind + " failed: " + e.what());
        }
    }
}

void EventBus::Lost(const std::exception& e) noexcept
{
    log::Error("events", "cannot build an event:");
    log::Error("events", e.what());
}

} // namespace pigeon
