// Which rtnetlink datagrams make RouteWatcher call: changes of links,
// addresses and routes, not the kernel's other messages; and when it calls
// for a burst of them (ChangeBurst).
#include "net/ChangeBurst.hxx"
#include "net/RouteWatcher.hxx"

#include <doctest/doctest.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <array>
#include <cstring>

using pigeon::net::ChangeBurst;
using pigeon::net::RouteWatcher;
using namespace std::chrono_literals;

namespace {

// A datagram of N bare headers of the given types, packed as the kernel does.
template <std::size_t N> struct Buffer {
    alignas(nlmsghdr) std::array<char, N * NLMSG_SPACE(0)> bytes{};
    const char* data() const { return bytes.data(); }
    std::size_t size() const { return bytes.size(); }
};

template <std::size_t N> Buffer<N> Datagram(const std::array<std::uint16_t, N>& types)
{
    Buffer<N> data;
    for (std::size_t i = 0; i < N; ++i) {
        nlmsghdr header{};
        header.nlmsg_len = NLMSG_LENGTH(0);
        header.nlmsg_type = types[i];
        std::memcpy(data.bytes.data() + i * NLMSG_SPACE(0), &header, sizeof(header));
    }
    return data;
}

} // namespace

TEST_CASE("links, addresses and routes are changes")
{
    for (std::uint16_t type :
         {RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR, RTM_DELADDR, RTM_NEWROUTE, RTM_DELROUTE}) {
        const auto data = Datagram<1>({type});
        CHECK(RouteWatcher::Relevant(data.data(), data.size()));
    }
}

TEST_CASE("a change after other messages in one datagram counts")
{
    const auto data = Datagram<2>({NLMSG_NOOP, RTM_NEWROUTE});
    CHECK(RouteWatcher::Relevant(data.data(), data.size()));
}

TEST_CASE("other messages, empty and truncated datagrams are not changes")
{
    const auto other = Datagram<3>({NLMSG_DONE, RTM_NEWNEIGH, NLMSG_ERROR});
    CHECK_FALSE(RouteWatcher::Relevant(other.data(), other.size()));
    const auto change = Datagram<1>({RTM_NEWADDR});
    CHECK_FALSE(RouteWatcher::Relevant(change.data(), 0));
    CHECK_FALSE(RouteWatcher::Relevant(change.data(), sizeof(nlmsghdr) - 1));
}

TEST_CASE("the first change of a burst is reported at once, the rest once it is quiet")
{
    ChangeBurst burst(20ms, 200ms);
    const auto t0 = ChangeBurst::Clock::time_point{} + 1h;
    auto step = burst.OnChange(t0);
    CHECK(step.call);
    REQUIRE(step.wake);
    CHECK(*step.wake == t0 + 20ms);

    // A link up: its address and routes a few milliseconds later. The probe
    // that ran at the first message found no route yet; these must not wait
    // 200 ms (they used to).
    for (const auto at : {3ms, 4ms, 7ms}) {
        step = burst.OnChange(t0 + at);
        CHECK_FALSE(step.call);
        REQUIRE(step.wake);
        CHECK(*step.wake == t0 + at + 20ms);
    }
    // A timer set before the last change goes off early: nothing yet.
    step = burst.OnWake(t0 + 20ms);
    CHECK_FALSE(step.call);
    REQUIRE(step.wake);
    CHECK(*step.wake == t0 + 27ms);
    step = burst.OnWake(t0 + 27ms);
    CHECK(step.call); // one call for the three
    REQUIRE(step.wake);
    // Quiet since: the burst is over, nothing left to wake for.
    step = burst.OnWake(*step.wake);
    CHECK_FALSE(step.call);
    CHECK_FALSE(step.wake);
    // The next change is a new burst: at once again.
    CHECK(burst.OnChange(t0 + 1s).call);
}

TEST_CASE("changes that never stop are reported at least every `most`, never more often than each "
          "quiet gap")
{
    ChangeBurst burst(20ms, 200ms);
    const auto t0 = ChangeBurst::Clock::time_point{} + 1h;
    int calls = 0;
    std::optional<ChangeBurst::Clock::time_point> wake;
    auto follow = [&](ChangeBurst::Step step) {
        calls += step.call ? 1 : 0;
        wake = step.wake;
    };
    // A change every 5 ms for a second, the timer going off when asked.
    for (auto at = 0ms; at < 1000ms; at += 1ms) {
        if (wake && t0 + at >= *wake)
            follow(burst.OnWake(t0 + at));
        if (at % 5ms == 0ms)
            follow(burst.OnChange(t0 + at));
    }
    // At once, then one call each 200 ms: 1 + 4 (at 200, 400, 600, 800 ms).
    CHECK(calls == 5);
    REQUIRE(wake);
    CHECK(*wake <= t0 + 1000ms);
}
