#pragma once
// Times as people read them in pigeonctl's tables: how long ago or how far
// ahead ("5 min ago", "in 3 h"), or the local date and time where a date is
// needed. --json keeps RFC 3339 (UTC) instead.

#include "control/Json.hxx"
#include "util/Time.hxx"

#include <string>

namespace pigeon::ctl {

// "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago", or "in ..."
// for a time after `now`.
std::string RelativeTime(UnixMs t, UnixMs now);
// "5 min" without "ago" or "in": how long since `t` (or until it).
std::string Duration(UnixMs t, UnixMs now);

// A time of the control protocol (RFC 3339 or null): relative to now, as
// the local date and time, or both ("2026-11-22 05:22, 5 min ago"); "-" for
// null, the text as it is if it is not a time.
std::string Relative(const control::Json& value);
std::string LocalTime(const control::Json& value);
std::string LocalAndRelative(const control::Json& value);

} // namespace pigeon::ctl
