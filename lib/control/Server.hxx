#pragma once
// The daemon's end of the control socket: a Unix stream socket, mode 0600,
// that only accepts peers with our own uid (SO_PEERCRED). Each line is one
// JSON request; each gets one JSON line back. Runs on the daemon's loop.

#include "control/Json.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <filesystem>
#include <functional>

namespace pigeon::control {

struct ServerLimits {
    std::size_t max_request_bytes = 4 << 20;
    int idle_timeout_seconds = 60;
};

class Server {
public:
    // Returns the request's result; throws RequestError to refuse it. Any other
    // exception becomes an "internal" error reply and is logged.
    using Handler = std::function<Json(const Json& request)>;

    // Creates the socket. Throws std::runtime_error if a daemon already answers
    // there, std::system_error if it cannot be created.
    Server(boost::asio::io_context& io, std::filesystem::path path, Handler handler,
           ServerLimits limits = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Stops accepting and removes the socket file.
    void Close() noexcept;

private:
    void Accept();

    boost::asio::io_context& io_;
    std::filesystem::path path_;
    Handler handler_;
    ServerLimits limits_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
};

// Runs one request line through the handler and returns the reply line
// (without newline). Never throws. Exposed for tests.
std::string HandleLine(const Server::Handler& handler, std::string_view line);

} // namespace pigeon::control
