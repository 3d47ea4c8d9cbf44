#pragma once
// Logging to stderr in a form journald understands: when systemd connected
// stderr to the journal (it then sets JOURNAL_STREAM) each line gets a "<N>"
// syslog priority prefix, otherwise a readable level word.

#include <string_view>

namespace pigeon::log {

enum class Level { Error = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 };

// Throws std::invalid_argument on an unknown name.
Level ParseLevel(std::string_view name);
void SetLevel(Level level) noexcept;
bool Enabled(Level level) noexcept;

// Never throws: a failed log write is dropped.
void Write(Level level, std::string_view domain, std::string_view message) noexcept;

inline void Error(std::string_view d, std::string_view m) noexcept
{
    Write(Level::Error, d, m);
}
inline void Warning(std::string_view d, std::string_view m) noexcept
{
    Write(Level::Warning, d, m);
}
inline void Notice(std::string_view d, std::string_view m) noexcept
{
    Write(Level::Notice, d, m);
}
inline void Info(std::string_view d, std::string_view m) noexcept
{
    Write(Level::Info, d, m);
}
inline void Debug(std::string_view d, std::string_view m) noexcept
{
    Write(Level::Debug, d, m);
}

} // namespace pigeon::log
