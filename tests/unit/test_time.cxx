#include "util/Time.hxx"

#include <doctest/doctest.h>

using namespace pigeon;

TEST_CASE("RFC 3339 formatting is UTC with milliseconds")
{
    CHECK(FormatRfc3339(0) == "1970-01-01T00:00:00.000Z");
    CHECK(FormatRfc3339(1'795'321'361'123) == "2026-11-22T04:22:41.123Z");
    CHECK(FormatRfc3339(951'868'799'999) == "2000-02-29T23:59:59.999Z");
    CHECK(FormatRfc3339(-1) == "1969-12-31T23:59:59.999Z");
    CHECK(FormatRfc3339(253'402'300'800'000) == "10000-01-01T00:00:00.000Z"); // past what parses
}

TEST_CASE("RFC 3339 parsing")
{
    struct Case {
        const char* text;
        std::optional<UnixMs> expected;
    };
    const Case cases[] = {
        {"2026-11-22T04:22:41.123Z", 1'795'321'361'123},
        {"2026-11-22T04:22:41Z", 1'795'321'361'000},
        {"2026-11-22T05:22:41+01:00", 1'795'321'361'000},
        {"2026-11-21T23:22:41.5-05:00", 1'795'321'361'500},
        {"2026-11-22T04:22:41.123456Z", 1'795'321'361'123},
        {"2026-11-22 04:22:41Z", std::nullopt},
        {"2026-02-30T00:00:00Z", std::nullopt},
        {"2026-11-22T04:22:41", std::nullopt},
        {"2026-11-22T04:22:41.Z", std::nullopt},
        {"2026-11-22T04:22:41Zjunk", std::nullopt},
        {"", std::nullopt},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        CHECK(ParseRfc3339(c.text) == c.expected);
    }
}

TEST_CASE("format and parse round-trip")
{
    for (UnixMs t : {UnixMs{0}, UnixMs{1}, UnixMs{951'782'400'000}, UnixMs{4'102'444'799'999}})
        CHECK(ParseRfc3339(FormatRfc3339(t)) == t);
}

TEST_CASE("times that cannot be written back are refused at parse")
{
    CHECK(ParseRfc3339("9999-12-31T23:59:59-00:01") == std::nullopt);
    CHECK(ParseRfc3339("9999-12-31T23:59:60Z") == std::nullopt);
    CHECK(ParseRfc3339("0000-01-01T00:00:00+00:01") == std::nullopt);
    // The edges themselves are fine, and come back as they went in.
    for (const char* text : {"9999-12-31T23:59:59.999Z", "0000-01-01T00:00:00.000Z"}) {
        CAPTURE(text);
        const auto t = ParseRfc3339(text);
        REQUIRE(t.has_value());
        CHECK(FormatRfc3339(*t) == text);
    }
    REQUIRE(ParseRfc3339("9999-12-31T23:59:59+00:01").has_value());
    CHECK(ParseRfc3339(FormatRfc3339(*ParseRfc3339("9999-12-31T23:59:59+00:01"))).has_value());
}

TEST_CASE("durations for send --expires")
{
    CHECK(ParseDuration("3s") == 3000);
    CHECK(ParseDuration("90m") == 90 * 60 * 1000);
    CHECK(ParseDuration("2h") == 2 * 3600 * 1000);
    CHECK(ParseDuration("7d") == 7 * 24 * 3600 * 1000LL);
    CHECK(ParseDuration("1h30m") == 90 * 60 * 1000);
    CHECK(ParseDuration("3650d") == 3650 * 24 * 3600 * 1000LL);
    for (const char* bad : {"", "3", "s", "0s", "0h0m", "3x", "-3s", "3 s", "h3", "3s ", "1.5h",
                            "3661d", "99999999999999999999s"})
        CHECK_MESSAGE(!ParseDuration(bad), bad);
}
