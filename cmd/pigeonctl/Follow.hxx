#pragma once
// The pigeonctl commands that follow the daemon live, on its event stream
// (control::EventStream): `watch`, and `send --wait`.

#include "control/Json.hxx"

#include <filesystem>
#include <string>

namespace pigeon::ctl {

struct WaitOptions {
    std::string state;       // carried, sent or delivered
    int timeout_seconds = 0; // 0: no limit
    bool json = false;
};

// Prints each event (as JSON lines, or for people) until Ctrl-C: returns 0.
// Throws Failure when pigeond goes away, control::RequestError when it ends
// the watch (too-slow), and what EventStream throws.
int Watch(const std::filesystem::path& socket, bool json);

// Sends `request` (a send), prints the id (or, with --json, the item once it
// is there) and waits until the message reaches options.state or a later
// stage, telling its progress on stderr when that is a terminal. Throws
// Failure (usage, timeout, interrupted, pigeond gone), control::RequestError
// and what control::Client throws.
int SendAndWait(const std::filesystem::path& socket, const control::Json& request,
                const WaitOptions& options);

} // namespace pigeon::ctl
