#include "link/SameHost.hxx"

#include <algorithm>

namespace pigeon::link {
namespace asio = boost::asio;

bool SameHost(const asio::ip::address& a, const asio::ip::address& b)
{
    auto plain = [](const asio::ip::address& x) -> asio::ip::address {
        if (x.is_v6() && x.to_v6().is_v4_mapped())
            return asio::ip::make_address_v4(asio::ip::v4_mapped, x.to_v6());
        return x;
    };
    const auto pa = plain(a), pb = plain(b);
    if (pa.is_v6() && pb.is_v6())
        return pa.to_v6().to_bytes() == pb.to_v6().to_bytes();
    return pa == pb;
}

bool Among(const std::vector<avahi::Endpoint>& endpoints, const asio::ip::address& address)
{
    return std::any_of(endpoints.begin(), endpoints.end(),
                       [&](const avahi::Endpoint& e) { return SameHost(e.address, address); });
}

} // namespace pigeon::link
