#pragma once
// How long a neighbour has to answer one of our requests over a stream (a
// handoff, a relay, a delivery or reports): past it, the stream is closed
// with connection-timeout, which ends the contact and frees what the request
// held for other neighbours. A peer that keeps the stream alive but never
// answers can hold nothing for longer than that.

#include "util/Alive.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <string>

namespace pigeon::store {
class Store;
} // namespace pigeon::store

namespace pigeon::link {

class Stream;

inline constexpr std::chrono::seconds kReplyTimeout{30};

class ReplyDeadline {
public:
    // `store` (for `peers --log`) must outlive the deadline.
    ReplyDeadline(boost::asio::io_context& io, store::Store& store,
                  std::chrono::milliseconds timeout = kReplyTimeout) noexcept;

    // (Re)starts the wait for an answer over `stream`; `what` names the
    // request in the log ("no answer to our WHAT").
    void Arm(Stream& stream, std::string what);
    // Answered, or the stream is gone: nothing to wait for.
    void Disarm() noexcept;

private:
    boost::asio::steady_timer timer_;
    store::Store& store_;
    std::chrono::milliseconds timeout_;
    Alive alive_; // last: gone before anything above
};

} // namespace pigeon::link
