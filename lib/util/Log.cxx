#include "util/Log.hxx"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace pigeon::log {
namespace {

Level g_level = Level::Info;

constexpr std::string_view kNames[] = {"", "", "", "error", "warning", "notice", "info", "debug"};

bool ToJournal() noexcept
{
    static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
    return journal;
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

void Write(Level level, std::string_view domain, std::string_view message) noexcept
{
    if (!Enabled(level))
        return;
    // One fprintf per line so concurrent writers (none today) cannot interleave.
    if (ToJournal())
        std::fprintf(stderr, "<%d>%.*s: %.*s\n", int(level), int(domain.size()), domain.data(),
                     int(message.size()), message.data());
    else
        std::fprintf(stderr, "%s %.*s: %.*s\n", kNames[int(level)].data(), int(domain.size()),
                     domain.data(), int(message.size()), message.data());
}

} // namespace pigeon::log
