// Which rtnetlink datagrams make RouteWatcher call at once: changes of links,
// addresses and routes, not the kernel's other messages.
#include "net/RouteWatcher.hxx"

#include <doctest/doctest.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <array>
#include <cstring>

using pigeon::net::RouteWatcher;

namespace {

// A datagram of N bare headers of the given types, packed as the kernel does.
template <std::size_t N> struct Buffer {
    alignas(nlmsghdr) std::array<char, N * NLMSG_SPACE(0)> bytes{};
    const char* data() const { return bytes.data(); }
    std::size_t size() const { return bytes.size(); }
};

template <std::size_t N> Buffer<N> Datagram(const std::array<std::uint16_t, N>& types)
{
    Buffer<N> data;
    for (std::size_t i = 0; i < N; ++i) {
        nlmsghdr header{};
        header.nlmsg_len = NLMSG_LENGTH(0);
        header.nlmsg_type = types[i];
        std::memcpy(data.bytes.data() + i * NLMSG_SPACE(0), &header, sizeof(header));
    }
    return data;
}

} // namespace

TEST_CASE("links, addresses and routes are changes")
{
    for (std::uint16_t type :
         {RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR, RTM_DELADDR, RTM_NEWROUTE, RTM_DELROUTE}) {
        const auto data = Datagram<1>({type});
        CHECK(RouteWatcher::Relevant(data.data(), data.size()));
    }
}

TEST_CASE("a change after other messages in one datagram counts")
{
    const auto data = Datagram<2>({NLMSG_NOOP, RTM_NEWROUTE});
    CHECK(RouteWatcher::Relevant(data.data(), data.size()));
}

TEST_CASE("other messages, empty and truncated datagrams are not changes")
{
    const auto other = Datagram<3>({NLMSG_DONE, RTM_NEWNEIGH, NLMSG_ERROR});
    CHECK_FALSE(RouteWatcher::Relevant(other.data(), other.size()));
    const auto change = Datagram<1>({RTM_NEWADDR});
    CHECK_FALSE(RouteWatcher::Relevant(change.data(), 0));
    CHECK_FALSE(RouteWatcher::Relevant(change.data(), sizeof(nlmsghdr) - 1));
}
