// pigeonctl's times for people: relative to now, in the units people use.

#include "When.hxx"

#include <doctest/doctest.h>

using namespace pigeon;
using ctl::RelativeTime;

TEST_CASE("a time reads as how long ago, or how far ahead")
{
    const UnixMs now = 1'800'000'000'000;
    CHECK(RelativeTime(now, now) == "just now");
    CHECK(RelativeTime(now - 999, now) == "just now");
    CHECK(RelativeTime(now - 42'000, now) == "42 s ago");
    CHECK(RelativeTime(now - 5 * 60'000 - 30'000, now) == "5 min ago");
    CHECK(RelativeTime(now - 3 * 3'600'000, now) == "3 h ago");
    CHECK(RelativeTime(now - 47 * 3'600'000, now) == "47 h ago");
    CHECK(RelativeTime(now - 3 * 86'400'000, now) == "3 d ago");
    CHECK(RelativeTime(now + 3 * 3'600'000 + 5, now) == "in 3 h");
    CHECK(RelativeTime(now + 7 * 86'400'000, now) == "in 7 d");
}

TEST_CASE("a protocol time that is null or no time shows as such")
{
    CHECK(ctl::Relative(nullptr) == "-");
    CHECK(ctl::LocalAndRelative(nullptr) == "-");
    CHECK(ctl::Relative("not a time") == "not a time");
    CHECK(ctl::LocalAndRelative(FormatRfc3339(NowMs() - 120'000)).ends_with(", 2 min ago"));
}
