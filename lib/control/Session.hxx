#pragma once
// One client of the control socket (Server's; not for use elsewhere): reads
// a request line, answers it, and reads the next, until the client hangs up
// or idles. After a streaming request (watch) it reads no more requests and
// is a Feed instead, with a bounded queue of lines, until the client hangs
// up or falls behind.

#include "control/Feed.hxx"
#include "control/Server.hxx"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>

#include <array>
#include <deque>
#include <memory>
#include <string>

namespace pigeon::control {

class Session final : public Feed, public std::enable_shared_from_this<Session> {
public:
    // `handler` and `limits` are the Server's; they must outlive the session's
    // callbacks (the loop runs none after it stops).
    Session(boost::asio::local::stream_protocol::socket socket, const Server::Handler& handler,
            const ServerLimits& limits);

    void Start() { ReadRequest(); }
    // Waiting for a request, with none being answered: what the Server may
    // let go when it has too many clients.
    bool Idle() const noexcept { return mode_ == Mode::Requests && awaiting_request_; }
    // Closes the connection now; its callbacks end it.
    void Drop() noexcept { Close(); }

    // Feed
    bool Send(const Json& line) noexcept override;
    void Keep(std::shared_ptr<void> resource) noexcept override;

private:
    enum class Mode {
        Requests, // a request, its reply, the next request
        Feed,     // after a streaming request's reply: lines out, nothing read
        Ended,    // the feed ended: the last lines leave, then the socket closes
    };

    void ReadRequest();
    void OnRequest(boost::system::error_code ec, std::size_t size);
    void DiscardRestOfLine();
    void ArmIdleTimer();
    // The request's reply; with a feed opened, the feed's lines follow it.
    void Reply(std::string text);
    std::shared_ptr<Feed> OpenFeed();
    void Queue(std::string line);
    void WriteQueued();
    void OnWritten(boost::system::error_code ec);
    // A feed's client sends nothing more; reading tells when it hangs up.
    void AwaitHangUp();
    // Ends the feed: lets its subscription go and, after `notice` (if any)
    // had a moment to leave, closes the connection.
    void End(std::string notice) noexcept;
    void Close() noexcept;

    boost::asio::local::stream_protocol::socket socket_;
    boost::asio::steady_timer timer_;
    const Server::Handler& handler_;
    const ServerLimits& limits_;
    boost::asio::streambuf buffer_;
    std::array<char, 65536> scratch_;
    Mode mode_ = Mode::Requests;
    bool feed_opened_ = false;      // by the request being answered
    bool awaiting_request_ = false; // reading, with nothing read yet
    std::deque<std::string> queue_;
    std::size_t queued_bytes_ = 0;
    std::string writing_;
    bool write_pending_ = false;
    std::shared_ptr<void> kept_;
};

} // namespace pigeon::control
