#include "net/RouteWatcher.hxx"

#include "util/Log.hxx"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

namespace pigeon::net {
namespace asio = boost::asio;
using Raw = asio::generic::raw_protocol;

RouteWatcher::RouteWatcher(asio::io_context& io, std::function<void()> on_change,
                           std::chrono::milliseconds quiet, std::chrono::milliseconds most)
    : socket_(io, Raw(AF_NETLINK, NETLINK_ROUTE)), burst_timer_(io),
      on_change_(std::move(on_change)), burst_(quiet, most)
{
    sockaddr_nl address{};
    address.nl_family = AF_NETLINK;
    address.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE |
                        RTMGRP_IPV6_ROUTE;
    socket_.bind(Raw::endpoint(&address, sizeof(address)));
    Read();
}

bool RouteWatcher::Relevant(const void* data, std::size_t size) noexcept
{
    // NLMSG_OK and NLMSG_NEXT walk the datagram as the kernel packed it.
    int left = static_cast<int>(size);
    for (auto* h = static_cast<const nlmsghdr*>(data); NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
        switch (h->nlmsg_type) {
        case RTM_NEWLINK:
        case RTM_DELLINK:
        case RTM_NEWADDR:
        case RTM_DELADDR:
        case RTM_NEWROUTE:
        case RTM_DELROUTE:
            return true;
        default:
            break;
        }
    }
    return false;
}

void RouteWatcher::Read()
{
    socket_.async_receive(asio::buffer(buffer_),
                          [this](boost::system::error_code ec, std::size_t size) {
                              if (ec == asio::error::operation_aborted)
                                  return;
                              if (ec) {
                                  // ENOBUFS: we missed messages; something changed all the same.
                                  log::Debug("net", "netlink: " + ec.message());
                                  Follow(burst_.OnChange(ChangeBurst::Clock::now()));
                              } else if (Relevant(buffer_.data(), size)) {
                                  Follow(burst_.OnChange(ChangeBurst::Clock::now()));
                              }
                              Read();
                          });
}

void RouteWatcher::Follow(ChangeBurst::Step step)
{
    if (step.call)
        on_change_();
    if (!step.wake)
        return;
    burst_timer_.expires_at(*step.wake); // cancels the wait before
    burst_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec)
            Follow(burst_.OnWake(ChangeBurst::Clock::now()));
    });
}

} // namespace pigeon::net
