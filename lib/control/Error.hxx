#pragma once

#include <stdexcept>
#include <string>

namespace pigeon::control {

// A request the daemon refused, with a stable machine-readable code:
// bad-request, unknown-command, bad-jid, bad-body, not-found, ambiguous,
// no-account, server-refused, internal (doc/control-protocol.md says when).
class RequestError : public std::runtime_error {
public:
    RequestError(std::string code, const std::string& message)
        : std::runtime_error(message), code_(std::move(code))
    {
    }
    const std::string& Code() const noexcept { return code_; }

private:
    std::string code_;
};

// Nobody answers on the control socket.
class DaemonUnavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;

    // Nothing answers on `socket_path` (`why`): says how to start pigeond.
    static DaemonUnavailable NotRunning(const std::string& socket_path, const std::string& why)
    {
        return DaemonUnavailable("pigeond is not running (nothing answers on " + socket_path +
                                 ": " + why +
                                 "). Start it with 'systemctl --user start pigeond' or run "
                                 "'pigeond' (with the same --runtime-dir, if you gave one).");
    }
};

} // namespace pigeon::control
