#pragma once
// The daemon's end of the control socket: a Unix stream socket, mode 0600,
// that only accepts peers with our own uid (SO_PEERCRED). Each line is one
// JSON request; each gets one JSON line back, and a streaming request (watch)
// then the lines of its Feed. Runs on the daemon's loop.

#include "control/Json.hxx"
#include "control/Respond.hxx"
#include "util/AcceptBackoff.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <filesystem>
#include <functional>
#include <list>
#include <memory>

namespace pigeon::control {

struct ServerLimits {
    std::size_t max_request_bytes = 4 << 20;
    int idle_timeout_seconds = 60;
    // A watcher that leaves more than this unread (beyond what the socket
    // holds) is let go: a stuck client must not grow the daemon.
    std::size_t max_feed_bytes = 1 << 20;
    // Clients at once (and never more than an eighth of the descriptor
    // limit, at least 4). A new one beyond it lets the longest-waiting idle one
    // go (one between requests), or is turned away if none is idle: a client
    // that opens and holds connections cannot use up our descriptors.
    std::size_t max_sessions = 32;
};

// The two reply shapes: {"ok": true, "result": ...} and
// {"ok": false, "error": code, "message": text}.
Json OkReply(Json result);
Json ErrorReply(const std::string& code, const std::string& message);

class Session;

class Server {
public:
    using Respond = control::Respond;
    // Answers a request through `respond`, at once or later (a request that
    // waits on the network). Throwing RequestError before responding refuses
    // the request; any other exception becomes an "internal" error reply and
    // is logged. The connection reads its next request once it is answered,
    // unless the handler opened its feed.
    using Handler = std::function<void(const Json& request, Respond respond)>;

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
    // Room for one more session: false if every one is busy.
    bool MakeRoom() noexcept;
    // Lets the longest-waiting idle session go; false if none is idle.
    bool DropIdle() noexcept;

    boost::asio::io_context& io_;
    std::filesystem::path path_;
    Handler handler_;
    ServerLimits limits_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    AcceptBackoff backoff_;
    std::list<std::weak_ptr<Session>> sessions_; // oldest first
};

// Runs one request line through the handler; `respond` gets the reply line
// (without newline), now or later; `open_feed` is what Respond::OpenFeed
// calls. Never throws. Exposed for tests.
void HandleLine(const Server::Handler& handler, std::string_view line,
                std::function<void(std::string)> respond, Respond::Opener open_feed = {});

} // namespace pigeon::control
