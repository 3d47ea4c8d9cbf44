#include "net/RouteWatcher.hxx"

#include "util/Log.hxx"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

namespace pigeon::net {
namespace asio = boost::asio;
using Raw = asio::generic::raw_protocol;

RouteWatcher::RouteWatcher(asio::io_context& io, std::function<void()> on_change,
                           std::chrono::milliseconds quiet)
    : socket_(io, Raw(AF_NETLINK, NETLINK_ROUTE)), debounce_(io), on_change_(std::move(on_change)),
      quiet_(quiet)
{
    sockaddr_nl address{};
    address.nl_family = AF_NETLINK;
    address.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE |
                        RTMGRP_IPV6_ROUTE;
    socket_.bind(Raw::endpoint(&address, sizeof(address)));
    Read();
}

void RouteWatcher::Read()
{
    socket_.async_receive(asio::buffer(buffer_), [this](boost::system::error_code ec, std::size_t) {
        if (ec == asio::error::operation_aborted)
            return;
        if (ec) {
            // ENOBUFS: we missed messages; something changed all the same.
            log::Debug("net", "netlink: " + ec.message());
        }
        debounce_.expires_after(quiet_);
        debounce_.async_wait([this](boost::system::error_code wait_ec) {
            if (!wait_ec)
                on_change_();
        });
        Read();
    });
}

} // namespace pigeon::net
