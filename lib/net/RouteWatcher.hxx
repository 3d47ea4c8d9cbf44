#pragma once
// Tells when the kernel's addresses, links or routes change (rtnetlink), so
// the connectivity probe runs at once instead of waiting for its timer.
// The first change is reported at once; changes come in bursts (a link going
// up adds addresses and routes), so those that follow within `settle` are
// folded into one more call at its end.

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
    RouteWatcher(boost::asio::io_context& io, std::function<void()> on_change,
                 std::chrono::milliseconds settle = std::chrono::milliseconds(200));

    // Whether a datagram of `size` bytes read from the socket holds a change
    // of links, addresses or routes (what we subscribed to, not an error or
    // a done marker). Exposed for the unit test.
    static bool Relevant(const void* data, std::size_t size) noexcept; // `data` aligned as nlmsghdr

private:
    void Read();
    void OnChange();

    boost::asio::generic::raw_protocol::socket socket_;
    boost::asio::steady_timer settle_timer_;
    std::function<void()> on_change_;
    std::chrono::milliseconds settle_;
    bool settling_ = false;                     // a call was made less than `settle_` ago
    bool pending_ = false;                      // changes came since: one more call when it ends
    alignas(4) std::array<char, 16384> buffer_; // nlmsghdr alignment (NLMSG_ALIGNTO)
};

} // namespace pigeon::net
