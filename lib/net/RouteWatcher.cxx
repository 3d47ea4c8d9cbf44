#include "net/RouteWatcher.hxx"

#include "util/Log.hxx"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

namespace pigeon::net {
namespace asio = boost::asio;
using Raw = asio::generic::raw_protocol;

RouteWatcher::RouteWatcher(asio::io_context& io, std::function<void()> on_change,
                           std::chrono::milliseconds settle)
    : socket_(io, Raw(AF_NETLINK, NETLINK_ROUTE)), settle_timer_(io),
      on_change_(std::move(on_change)), settle_(settle)
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
                                  OnChange();
                              } else if (Relevant(buffer_.data(), size)) {
                                  OnChange();
                              }
                              Read();
                          });
}

void RouteWatcher::OnChange()
{
    if (settling_) {
        pending_ = true;
        return;
    }
    // The first change of a burst: at once. A link coming up already has its
    // addresses and routes by the time we read its message, usually; what
    // comes later gets the call at the end of the window.
    settling_ = true;
    pending_ = false;
    on_change_();
    settle_timer_.expires_after(settle_);
    settle_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec)
            return;
        settling_ = false;
        if (pending_)
            OnChange();
    });
}

} // namespace pigeon::net
