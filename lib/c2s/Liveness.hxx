#pragma once
// Whether the server at the other end of a c2s stream is still there, told
// by timers, never by polling: after `keepalive` without a byte from the
// server, ask it for an acknowledgement (XEP-0198 <r/>, or an XEP-0199
// ping); after asking, a server silent for `ack_timeout` is gone. A dead TCP
// connection is noticed this way within keepalive + ack_timeout, and a
// stanza's missing acknowledgement within ack_timeout.

#include "util/Alive.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <string>

namespace pigeon::c2s {

class Liveness {
public:
    using Clock = std::chrono::steady_clock;
    struct Hooks {
        std::function<Clock::time_point()> last_received;
        // Send <r/> or a ping (and call Asked), if there is a reason: keepalive, or something
        // still unacknowledged.
        std::function<void(bool keepalive)> ask;
        std::function<void(const std::string& why)> dead; // the connection is gone
    };

    Liveness(boost::asio::io_context& io, std::chrono::seconds keepalive,
             std::chrono::seconds ack_timeout, Hooks hooks);

    // Watches from now on (online) / no more (offline).
    void Watch() noexcept;
    void Stop() noexcept;
    // We asked the server for something it must answer (an ack, a ping).
    void Asked() noexcept;

private:
    void ScheduleKeepalive() noexcept;
    void OnAnswerDue() noexcept;

    std::chrono::seconds keepalive_;
    std::chrono::seconds ack_timeout_;
    Hooks hooks_;
    boost::asio::steady_timer keepalive_timer_;
    boost::asio::steady_timer answer_timer_;
    bool waiting_ = false;
    Clock::time_point asked_at_{};
    Alive alive_;
};

} // namespace pigeon::c2s
