#include "util/RateLimiter.hxx"

#include <doctest/doctest.h>

using pigeon::RateLimiter;
using namespace std::chrono_literals;

TEST_CASE("a burst passes, then one event per period, and the next says how many were held")
{
    RateLimiter limiter(3, 1);
    const auto t0 = RateLimiter::Clock::time_point{} + 1h;
    for (int i = 0; i < 3; ++i)
        CHECK(limiter.Check("site", t0).pass);
    for (int i = 0; i < 1000; ++i)
        CHECK_FALSE(limiter.Check("site", t0 + 1ms * i).pass);
    const auto next = limiter.Check("site", t0 + 1s);
    CHECK(next.pass);
    CHECK(next.suppressed == 1000);
    // Told once: the next that passes starts counting afresh.
    CHECK_FALSE(limiter.Check("site", t0 + 1s).pass);
    const auto later = limiter.Check("site", t0 + 2s);
    CHECK(later.pass);
    CHECK(later.suppressed == 1);
}

TEST_CASE("a steady flood gets through at the rate, whatever its speed")
{
    RateLimiter limiter(10, 2);
    const auto t0 = RateLimiter::Clock::time_point{} + 1h;
    int passed = 0;
    for (int ms = 0; ms < 60'000; ++ms) // 1000 a second for a minute
        passed += limiter.Check("flood", t0 + std::chrono::milliseconds(ms)).pass ? 1 : 0;
    CHECK(passed >= 10 + 2 * 59);
    CHECK(passed <= 10 + 2 * 60 + 1);
}

TEST_CASE("keys are apart: one flooding key does not silence another")
{
    RateLimiter limiter(2, 1);
    const auto t0 = RateLimiter::Clock::time_point{} + 1h;
    for (int i = 0; i < 100; ++i)
        limiter.Check("noisy", t0);
    CHECK(limiter.Check("quiet", t0).pass);
}

TEST_CASE("the bucket refills only up to the burst")
{
    RateLimiter limiter(2, 1);
    const auto t0 = RateLimiter::Clock::time_point{} + 1h;
    CHECK(limiter.Check("k", t0).pass);
    const auto t1 = t0 + 24h;
    CHECK(limiter.Check("k", t1).pass);
    CHECK(limiter.Check("k", t1).pass);
    CHECK_FALSE(limiter.Check("k", t1).pass);
}

TEST_CASE("many distinct keys do not grow it beyond its bound, and held counts can be taken")
{
    RateLimiter limiter(1, 1, 8);
    const auto t0 = RateLimiter::Clock::time_point{} + 1h;
    for (int i = 0; i < 10'000; ++i)
        limiter.Check("key" + std::to_string(i), t0);
    CHECK(limiter.Check("fresh", t0).pass);
    CHECK_FALSE(limiter.Check("fresh", t0).pass);
    CHECK_FALSE(limiter.Check("fresh", t0).pass);
    const auto held = limiter.TakeSuppressed();
    REQUIRE(held.contains("fresh"));
    CHECK(held.at("fresh") == 2);
    CHECK(limiter.TakeSuppressed().empty());
}
