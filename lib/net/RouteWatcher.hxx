#pragma once
// Tells when the kernel's addresses, links or routes change (rtnetlink), so
// the connectivity probe runs at once instead of waiting for its timer.
// Changes come in bursts (a link going up adds addresses and routes): they
// are folded into one call after a short quiet period.

#include <boost/asio/generic/raw_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <functional>

namespace pigeon::net {

class RouteWatcher {
public:
    // Throws std::system_error if the netlink socket cannot be opened.
    RouteWatcher(boost::asio::io_context& io, std::function<void()> on_change,
                 std::chrono::milliseconds quiet = std::chrono::milliseconds(200));

private:
    void Read();

    boost::asio::generic::raw_protocol::socket socket_;
    boost::asio::steady_timer debounce_;
    std::function<void()> on_change_;
    std::chrono::milliseconds quiet_;
    std::array<char, 16384> buffer_;
};

} // namespace pigeon::net
