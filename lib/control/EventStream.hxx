#pragma once
// pigeonctl's end of a watch (doc/control-protocol.md): a connection of its
// own that subscribes, then hands over the daemon's events one by one. It
// waits for the next one on its own small loop, so that a deadline or Ctrl-C
// (SIGINT, SIGTERM: caught for as long as the stream exists) ends the wait
// without polling.

#include "control/Json.hxx"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <variant>

namespace pigeon::control {

class EventStream {
public:
    using Clock = std::chrono::steady_clock;
    // Why Next has no event.
    enum class Stop {
        Interrupted, // SIGINT or SIGTERM
        TimedOut,    // the deadline passed
        Closed,      // pigeond closed the connection (it stopped)
    };

    // Connects and subscribes: every event after this returns is seen.
    // Throws DaemonUnavailable, RequestError if the daemon refuses,
    // std::runtime_error if the connection breaks.
    explicit EventStream(const std::filesystem::path& socket_path);
    ~EventStream();
    EventStream(const EventStream&) = delete;
    EventStream& operator=(const EventStream&) = delete;

    // The next event, or why none came. Throws RequestError when the daemon
    // ends the watch with a notice (too-slow), std::runtime_error for a line
    // that is not JSON.
    std::variant<Json, Stop> Next(std::optional<Clock::time_point> deadline = std::nullopt);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace pigeon::control
