#pragma once
// Logging to stderr in a form journald understands: when systemd connected
// stderr to the journal (it then sets JOURNAL_STREAM) each line gets a "<N>"
// syslog priority prefix, otherwise a readable level word.
//
// Every call site is rate-limited: a burst of lines, then about one a
// second; what is held back is counted and said in one "N similar lines
// suppressed" line when that call site next speaks (or at FlushSuppressed).
// A peer that makes us log on every packet cannot flood the journal.

#include <string_view>

namespace pigeon::log {

// Where a log call stands, taken at the caller as a default argument. Not
// std::source_location: Debian 12's clang 14 (the fuzz build) lacks the
// builtin that libstdc++'s version needs; these two builtins both compilers have.
struct Site {
    const char* file;
    unsigned line;
    static constexpr Site Here(const char* file = __builtin_FILE(),
                               unsigned line = __builtin_LINE()) noexcept
    {
        return {file, line};
    }
};

enum class Level { Error = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 };

// Throws std::invalid_argument on an unknown name.
Level ParseLevel(std::string_view name);
void SetLevel(Level level) noexcept;
bool Enabled(Level level) noexcept;

// Never throws: a failed log write is dropped. `where` is the rate limit's key.
void Write(Level level, std::string_view domain, std::string_view message, Site where) noexcept;
// Says how many lines each call site had suppressed since it last spoke (at exit).
void FlushSuppressed() noexcept;

inline void Error(std::string_view d, std::string_view m, Site where = Site::Here()) noexcept
{
    Write(Level::Error, d, m, where);
}
inline void Warning(std::string_view d, std::string_view m, Site where = Site::Here()) noexcept
{
    Write(Level::Warning, d, m, where);
}
inline void Notice(std::string_view d, std::string_view m, Site where = Site::Here()) noexcept
{
    Write(Level::Notice, d, m, where);
}
inline void Info(std::string_view d, std::string_view m, Site where = Site::Here()) noexcept
{
    Write(Level::Info, d, m, where);
}
inline void Debug(std::string_view d, std::string_view m, Site where = Site::Here()) noexcept
{
    Write(Level::Debug, d, m, where);
}

} // namespace pigeon::log
