#include "When.hxx"

#include <cstdlib>
#include <ctime>

namespace pigeon::ctl {
using control::Json;

namespace {

std::optional<UnixMs> TimeOf(const Json& value)
{
    return value.is_string() ? ParseRfc3339(value.get<std::string>()) : std::nullopt;
}

// What a value that is no time shows: "-" for null ("not yet"), else itself.
std::string NoTime(const Json& value)
{
    return value.is_string() ? value.get<std::string>() : std::string("-");
}

} // namespace

std::string Duration(UnixMs t, UnixMs now)
{
    const long long seconds = std::llabs(now - t) / 1000;
    if (seconds < 60)
        return std::to_string(seconds) + " s";
    if (seconds < 3600)
        return std::to_string(seconds / 60) + " min";
    if (seconds < 48 * 3600)
        return std::to_string(seconds / 3600) + " h";
    return std::to_string(seconds / 86400) + " d";
}

std::string RelativeTime(UnixMs t, UnixMs now)
{
    if (std::llabs(now - t) < 1000)
        return "just now";
    return t <= now ? Duration(t, now) + " ago" : "in " + Duration(t, now);
}

std::string Relative(const Json& value)
{
    const auto t = TimeOf(value);
    return t ? RelativeTime(*t, NowMs()) : NoTime(value);
}

std::string LocalTime(const Json& value)
{
    const auto t = TimeOf(value);
    if (!t)
        return NoTime(value);
    const std::time_t seconds = *t / 1000;
    std::tm tm{};
    localtime_r(&seconds, &tm);
    char text[32];
    std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M", &tm);
    return text;
}

std::string LocalAndRelative(const Json& value)
{
    return TimeOf(value) ? LocalTime(value) + ", " + Relative(value) : NoTime(value);
}

} // namespace pigeon::ctl
