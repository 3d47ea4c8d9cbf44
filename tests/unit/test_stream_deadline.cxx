// When a link-local stream has waited long enough (link/StreamDeadline).
#include "link/StreamDeadline.hxx"

#include <doctest/doctest.h>

using pigeon::link::DeadlineRules;
using pigeon::link::StreamDeadline;
using namespace std::chrono_literals;
using Reason = StreamDeadline::Reason;

namespace {

const auto t0 = StreamDeadline::Clock::time_point{} + 1h;

DeadlineRules Rules()
{
    DeadlineRules rules;
    rules.identify = 5s;
    rules.idle = 60s;
    rules.stanza_grace = 10s;
    rules.min_rate = 100;
    return rules;
}

} // namespace

TEST_CASE("a connection that says nothing is cut off at the identification deadline")
{
    StreamDeadline deadline(Rules(), t0);
    CHECK(deadline.Next().when == t0 + 5s);
    CHECK(deadline.Next().reason == Reason::Identify);
}

TEST_CASE("a header trickled a byte a second still meets the identification deadline")
{
    StreamDeadline deadline(Rules(), t0);
    for (int i = 0; i < 100; ++i)
        deadline.OnBytes(t0 + std::chrono::seconds(i), "<", false);
    CHECK(deadline.Next().when == t0 + 5s);
}

TEST_CASE("once identified, the idle clock runs from the last complete stanza, not the last byte")
{
    StreamDeadline deadline(Rules(), t0);
    deadline.OnBytes(t0 + 1s, "<stream:stream ...>", true);
    deadline.OnIdentified();
    CHECK(deadline.Next().when == t0 + 61s);
    CHECK(deadline.Next().reason == Reason::Idle);
    // Whitespace keepalives do not restart it.
    deadline.OnBytes(t0 + 30s, " ", false);
    deadline.OnBytes(t0 + 50s, "\n", false);
    CHECK_FALSE(deadline.InStanza());
    CHECK(deadline.Next().when == t0 + 61s);
    deadline.OnBytes(t0 + 55s, "<presence/>", true);
    CHECK(deadline.Next().when == t0 + 115s);
}

TEST_CASE("a stanza trickled a byte a second is cut off after about the grace period")
{
    StreamDeadline deadline(Rules(), t0);
    deadline.OnBytes(t0, "<stream:stream ...>", true);
    deadline.OnIdentified();
    auto now = t0 + 1s;
    int sent = 0;
    while (deadline.Next().when > now && sent < 1000) {
        deadline.OnBytes(now, "x", false);
        now += 1s;
        ++sent;
    }
    CHECK(deadline.Next().reason == Reason::Stanza);
    CHECK(sent >= 10);
    CHECK(sent <= 11);
}

TEST_CASE("a large stanza at a sane speed is not cut off")
{
    StreamDeadline deadline(Rules(), t0);
    deadline.OnBytes(t0, "<stream:stream ...>", true);
    deadline.OnIdentified();
    // 200 bytes a second, twice the floor, for a minute.
    for (int i = 0; i < 60; ++i) {
        const auto now = t0 + 1s + std::chrono::seconds(i);
        deadline.OnBytes(now, std::string(200, 'x'), false);
        REQUIRE(deadline.Next().when > now);
    }
    CHECK(deadline.InStanza());
}

TEST_CASE("the next stanza's clock starts with the bytes after the last one's end")
{
    StreamDeadline deadline(Rules(), t0);
    deadline.OnBytes(t0, "<stream:stream ...>", true);
    deadline.OnIdentified();
    deadline.OnBytes(t0 + 2s, "<presence/>  ", true);
    CHECK_FALSE(deadline.InStanza());
    deadline.OnBytes(t0 + 3s, "<message/><mess", true);
    CHECK(deadline.InStanza());
    CHECK(deadline.Next().reason == Reason::Stanza);
    CHECK(deadline.Next().when > t0 + 13s);
    CHECK(deadline.Next().when < t0 + 14s);
}
