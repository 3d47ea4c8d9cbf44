#pragma once
// pigeonctl's printer for each row of control::kCommands, bound in
// Printers.cxx and checked against the table at compile time.

#include "control/Json.hxx"

#include <cstddef>
#include <ostream>

namespace pigeon::ctl {

// Prints the `result` of the request `request` made with row `command` of
// control::kCommands, for people (--json bypasses this).
void PrintResult(std::size_t command, std::ostream& out, const control::Json& result,
                 const control::Json& request);

// Prints `result` for scripts (--json). A listing prints its items, the
// array scripts read, and tells on `notes` how to reach the older rows.
void PrintJsonResult(std::ostream& out, std::ostream& notes, const control::Json& result,
                     const control::Json& request);

// A listing's request that leaves the size to pigeonctl gets a screenful.
void FitListingToScreen(control::Json& request);

} // namespace pigeon::ctl
