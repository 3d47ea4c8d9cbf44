#include "util/Log.hxx"

#include "util/RateLimiter.hxx"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pigeon::log {
namespace {

Level g_level = Level::Info;

constexpr std::string_view kNames[] = {"", "", "", "error", "warning", "notice", "info", "debug"};

bool ToJournal() noexcept
{
    static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
    return journal;
}

// Per call site: 30 lines at once, then one a second.
RateLimiter& Limiter()
{
    static RateLimiter limiter(30, 1);
    return limiter;
}

std::string_view BaseName(std::string_view path) noexcept
{
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string SiteKey(Site where)
{
    return std::string(BaseName(where.file)) + ":" + std::to_string(where.line);
}

void Print(Level level, std::string_view domain, std::string_view message) noexcept
{
    // One fprintf per line so concurrent writers (none today) cannot interleave.
    if (ToJournal())
        std::fprintf(stderr, "<%d>%.*s: %.*s\n", int(level), int(domain.size()), domain.data(),
                     int(message.size()), message.data());
    else
        std::fprintf(stderr, "%s %.*s: %.*s\n", kNames[int(level)].data(), int(domain.size()),
                     domain.data(), int(message.size()), message.data());
}

void PrintSuppressed(Level level, std::string_view domain, const std::string& site,
                     std::uint64_t count) noexcept
{
    try {
        Print(level, domain, std::to_string(count) + " similar lines suppressed (" + site + ")");
    } catch (const std::exception&) {
    }
}

} // namespace

Level ParseLevel(std::string_view name)
{
    for (int i = int(Level::Error); i <= int(Level::Debug); ++i)
        if (kNames[i] == name)
            return Level(i);
    throw std::invalid_argument("unknown log level '" + std::string(name) +
                                "' (expected error, warning, notice, info or debug)");
}

void SetLevel(Level level) noexcept
{
    g_level = level;
}

bool Enabled(Level level) noexcept
{
    return int(level) <= int(g_level);
}

void Write(Level level, std::string_view domain, std::string_view message, Site where) noexcept
{
    if (!Enabled(level))
        return;
    try {
        const std::string site = SiteKey(where);
        const auto verdict = Limiter().Check(site, RateLimiter::Clock::now());
        if (!verdict.pass)
            return;
        if (verdict.suppressed > 0)
            PrintSuppressed(level, domain, site, verdict.suppressed);
    } catch (const std::exception&) {
        // Out of memory for the key: the line still goes out.
    }
    Print(level, domain, message);
}

void FlushSuppressed() noexcept
{
    try {
        for (const auto& [site, count] : Limiter().TakeSuppressed())
            PrintSuppressed(Level::Notice, "log", site, count);
    } catch (const std::exception&) {
    }
}

} // namespace pigeon::log
