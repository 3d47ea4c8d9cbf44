#include "util/EventBus.hxx"

#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>

using namespace pigeon;

TEST_CASE("every subscriber hears an event once, in the order they subscribed")
{
    EventBus bus;
    std::vector<std::string> heard;
    auto first = bus.Subscribe([&](const Event& e) { heard.push_back("1:" + e.kind); });
    auto second = bus.Subscribe([&](const Event& e) { heard.push_back("2:" + e.kind); });
    bus.Publish(
        {"handoff", 0, {{"peer", std::string("kramer@kramer")}, {"count", std::int64_t{3}}}});
    CHECK(heard == std::vector<std::string>{"1:handoff", "2:handoff"});
}

TEST_CASE("an event gets the time it was published unless it has one")
{
    EventBus bus;
    UnixMs at = -1;
    auto s = bus.Subscribe([&](const Event& e) { at = e.at; });
    const UnixMs before = NowMs();
    bus.Publish({"received", 0, {}});
    CHECK(at >= before);
    bus.Publish({"received", 42, {}});
    CHECK(at == 42);
}

TEST_CASE("a field reads as text only when it is text")
{
    const Event e{"upload", 1, {{"id", std::string("abc")}, {"count", std::int64_t{2}}}};
    CHECK(e.Text("id") == "abc");
    CHECK(e.Text("count").empty());
    CHECK(e.Text("missing").empty());
}

TEST_CASE("a destroyed subscription hears nothing more")
{
    EventBus bus;
    int heard = 0;
    {
        auto s = bus.Subscribe([&](const Event&) { ++heard; });
        bus.Publish({"a", 1, {}});
    }
    bus.Publish({"b", 1, {}});
    CHECK(heard == 1);
}

TEST_CASE("a subscriber may end its own and another's subscription while hearing")
{
    EventBus bus;
    int first_heard = 0, second_heard = 0;
    std::unique_ptr<EventBus::Subscription> first, second;
    first = std::make_unique<EventBus::Subscription>(bus.Subscribe([&](const Event&) {
        ++first_heard;
        first.reset();
        second.reset();
    }));
    second = std::make_unique<EventBus::Subscription>(
        bus.Subscribe([&](const Event&) { ++second_heard; }));
    bus.Publish({"a", 1, {}});
    bus.Publish({"b", 1, {}});
    CHECK(first_heard == 1);
    CHECK(second_heard == 0);
}

TEST_CASE("a subscriber that throws does not stop the others")
{
    EventBus bus;
    int heard = 0;
    auto bad = bus.Subscribe([](const Event&) { throw std::runtime_error("boom"); });
    auto good = bus.Subscribe([&](const Event&) { ++heard; });
    bus.Publish({"a", 1, {}});
    CHECK(heard == 1);
}

TEST_CASE("a subscription may outlive its bus, and moves keep one subscription")
{
    int heard = 0;
    EventBus::Subscription kept;
    {
        EventBus bus;
        auto s = bus.Subscribe([&](const Event&) { ++heard; });
        kept = std::move(s);
        bus.Publish({"a", 1, {}});
    }
    CHECK(heard == 1); // and destroying `kept` now touches no freed bus
}

TEST_CASE("an event is built only while someone listens, and building it never throws")
{
    EventBus bus;
    int built = 0;
    const auto make = [&built] {
        ++built;
        return Event{"handoff", 1, {{"ids", std::vector<std::string>{"a", "b"}}}};
    };
    Publish(&bus, make);
    Publish(static_cast<EventBus*>(nullptr), make);
    CHECK(built == 0);
    CHECK_FALSE(bus.Heard());

    std::vector<std::string> ids;
    auto s = bus.Subscribe(
        [&](const Event& e) { ids = std::get<std::vector<std::string>>(e.fields.at(0).second); });
    CHECK(bus.Heard());
    Publish(&bus, make);
    CHECK(built == 1);
    CHECK(ids == std::vector<std::string>{"a", "b"});
    Publish(&bus, []() -> Event { throw std::runtime_error("no memory"); });
}
