#pragma once
// The daemon's events (doc/control-protocol.md, "Events") as `pigeonctl
// watch` shows them to people: the time, the kind, and the gist in words.

#include "control/Json.hxx"

#include <ostream>
#include <string>

namespace pigeon::ctl {

// "handed 2 messages to kramer@kramer": what `event` says happened.
std::string DescribeEvent(const control::Json& event);
// One line: local time of day, kind, DescribeEvent.
void PrintEvent(std::ostream& out, const control::Json& event);

} // namespace pigeon::ctl
