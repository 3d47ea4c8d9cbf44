#pragma once
// pigeonctl's end of the control socket: one synchronous request at a time.

#include "control/Json.hxx"

#include <filesystem>
#include <memory>
#include <string_view>

namespace pigeon::control {

class Client {
public:
    // Throws DaemonUnavailable, whose message says how to start pigeond.
    explicit Client(const std::filesystem::path& socket_path);
    ~Client();

    // Sends `request` and returns its "result". Throws RequestError when the
    // daemon refuses, std::runtime_error when the connection breaks.
    Json Call(const Json& request);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The "result" of a reply line. Throws RequestError for a refusal (the
// daemon's code and message), std::runtime_error for a line that is not JSON.
Json ResultOf(std::string_view reply_line);

} // namespace pigeon::control
