#pragma once
// Wall-clock times are carried as milliseconds since the Unix epoch (UTC):
// that is what the store keeps and what crosses the wire as XEP-0082 stamps.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pigeon {

using UnixMs = std::int64_t;

UnixMs NowMs() noexcept;

// "2026-11-22T04:22:41.123Z" (RFC 3339 / XEP-0082 DateTime, always UTC).
std::string FormatRfc3339(UnixMs t);

// Accepts RFC 3339 date-times with optional fraction and Z or +hh:mm offset.
// Returns nullopt on anything else, and on times FormatRfc3339 cannot write
// back: before 0000-01-01T00:00:00Z or from 10000-01-01T00:00:00Z on (which an
// offset or a leap second can reach from a four-digit date).
std::optional<UnixMs> ParseRfc3339(std::string_view text) noexcept;

// "3s", "90m", "2h", "7d", or several of them ("1h30m"): how long, in
// milliseconds. Nullopt for anything else, zero, or more than 10 years.
std::optional<UnixMs> ParseDuration(std::string_view text) noexcept;

} // namespace pigeon
