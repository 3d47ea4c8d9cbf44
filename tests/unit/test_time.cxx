#include "util/Time.hxx"

#include <doctest/doctest.h>

using namespace pigeon;

TEST_CASE("RFC 3339 formatting is UTC with milliseconds")
{
    CHECK(FormatRfc3339(0) == "1970-01-01T00:00:00.000Z");
    CHECK(FormatRfc3339(1'795'321'361'123) == "2026-11-22T04:22:41.123Z");
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
