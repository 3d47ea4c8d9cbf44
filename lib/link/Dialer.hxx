#pragma once
// Opens the TCP connection to a neighbour: tries its resolved endpoints in
// turn, each from the address we announce on that endpoint's link (see
// net/SourceAddress.hxx) and each for a limited time, since a peer that never
// answers must not hold the neighbour up for the kernel's two minutes.

#include "avahi/ServiceInfo.hxx"
#include "util/Alive.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pigeon::link {

// Owned by whoever waits for it: destroying it gives up (the socket's close
// cancels the attempt, and its completions find it gone).
class Dialer {
public:
    // On success `error` is empty and `socket` is connected to `used`;
    // otherwise `error` says what each attempt met. It may destroy the Dialer.
    using Done = std::function<void(const std::string& error, boost::asio::ip::tcp::socket socket,
                                    const boost::asio::ip::tcp::endpoint& used)>;

    // Starts at once; `done` runs exactly once, from the loop, unless the
    // Dialer is destroyed first. Throws std::bad_alloc only.
    Dialer(boost::asio::io_context& io, std::vector<avahi::Endpoint> endpoints,
           std::chrono::milliseconds per_attempt, Done done);
    Dialer(const Dialer&) = delete;
    Dialer& operator=(const Dialer&) = delete;

private:
    void Next() noexcept;
    void NoteFailure(const boost::asio::ip::tcp::endpoint& remote, const std::string& why);
    void Finish(const std::string& error) noexcept;

    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer timer_;
    std::vector<avahi::Endpoint> endpoints_;
    std::size_t next_ = 0;
    std::chrono::milliseconds per_attempt_;
    Done done_;
    std::string errors_; // what each attempt met, for the log
    Alive alive_;        // last: gone before the socket and timer are
};

} // namespace pigeon::link
