#pragma once
// Tells when the kernel's addresses, links or routes change (rtnetlink), so
// the connectivity probe runs at once instead of waiting for its timer.
// Changes come in bursts (a link going up adds addresses and routes): the
// first is reported at once, the rest in one more call once the burst is
// over (ChangeBurst).

#include "net/ChangeBurst.hxx"

#include <boost/asio/generic/raw_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>

namespace pigeon::net {

class RouteWatcher {
public:
    // Throws std::system_error if the netlink socket cannot be opened.
    // A burst is over once `quiet` passes without a change; while changes
    // keep coming, they are reported at least every `most`.
    RouteWatcher(boost::asio::io_context& io, std::function<void()> on_change,
                 std::chrono::milliseconds quiet = std::chrono::milliseconds(20),
                 std::chrono::milliseconds most = std::chrono::milliseconds(200));

    // Whether a datagram of `size` bytes read from the socket holds a change
    // of links, addresses or routes (what we subscribed to, not an error or
    // a done marker). Exposed for the unit test.
    static bool Relevant(const void* data, std::size_t size) noexcept; // `data` aligned as nlmsghdr

private:
    void Read();
    void Follow(ChangeBurst::Step step);

    boost::asio::generic::raw_protocol::socket socket_;
    boost::asio::steady_timer burst_timer_;
    std::function<void()> on_change_;
    ChangeBurst burst_;
    alignas(4) std::array<char, 16384> buffer_; // nlmsghdr alignment (NLMSG_ALIGNTO)
};

} // namespace pigeon::net
