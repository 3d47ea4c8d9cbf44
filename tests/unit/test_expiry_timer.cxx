// The expiry timer (issue 11): it wakes at the earliest expiry in the store,
// not before and not on a period, and looks again when told that something
// expiring sooner came in.

#include "ExpiryTimer.hxx"
#include "store/Store.hxx"
#include "util/EventBus.hxx"

#include "TempDir.hxx"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <variant>

using namespace pigeon;

namespace {

struct Fixture {
    test::TempDir dir{"pigeon-expiry-timer"};
    store::Store store{dir.dir / "pigeon.db"};
    boost::asio::io_context io;
    EventBus events;
    std::vector<Event> heard;
    EventBus::Subscription subscription =
        events.Subscribe([this](const Event& event) { heard.push_back(event); });

    store::OutboxState State(const std::string& id) { return store.OutboxById(id)->state; }
    // Runs the loop for `ms` milliseconds of wall-clock time.
    void RunFor(int ms) { io.run_for(std::chrono::milliseconds(ms)); }
};

} // namespace

TEST_CASE("the timer expires a message at its expiry and no earlier")
{
    Fixture f;
    const UnixMs now = NowMs();
    const auto soon = f.store.Enqueue("jerry@example.org", "soon", now, now + 300);
    const auto later = f.store.Enqueue("jerry@example.org", "later", now, now + 60'000);
    ExpiryTimer timer(f.io, f.store, &f.events);
    f.RunFor(100);
    CHECK(f.State(soon.id) == store::OutboxState::Queued);
    CHECK(f.heard.empty());
    f.RunFor(600);
    CHECK(f.State(soon.id) == store::OutboxState::Expired);
    CHECK(f.State(later.id) == store::OutboxState::Queued);
    REQUIRE(f.heard.size() == 1);
    CHECK(f.heard[0].kind == "expired");
    CHECK(std::get<std::vector<std::string>>(f.heard[0].fields.at(1).second) ==
          std::vector<std::string>{soon.id});
}

TEST_CASE("a message that expires sooner than what the timer waits for is noticed on Rearm")
{
    Fixture f;
    const UnixMs now = NowMs();
    f.store.Enqueue("jerry@example.org", "later", now, now + 60'000);
    ExpiryTimer timer(f.io, f.store, &f.events);
    f.RunFor(50);
    const auto soon = f.store.Enqueue("jerry@example.org", "soon", now, NowMs() + 200);
    timer.Rearm();
    f.RunFor(600);
    CHECK(f.State(soon.id) == store::OutboxState::Expired);
}

TEST_CASE("what expired before the start goes at once; with nothing to expire the loop is idle")
{
    Fixture f;
    const auto old = f.store.Enqueue("jerry@example.org", "old", 1000, 2000);
    {
        ExpiryTimer timer(f.io, f.store, &f.events);
        f.RunFor(100);
        CHECK(f.State(old.id) == store::OutboxState::Expired);
    }
    f.io.restart();
    ExpiryTimer idle(f.io, f.store, &f.events);
    // No timer armed: the loop has no work and returns at once.
    CHECK(f.io.run_for(std::chrono::seconds(5)) == 0);
}
