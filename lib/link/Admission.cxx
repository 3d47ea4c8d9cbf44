#include "link/Admission.hxx"

#include <algorithm>

namespace pigeon::link {
namespace ip = boost::asio::ip;

namespace {

ip::address Plain(const ip::address& a) noexcept
{
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        return ip::make_address_v4(ip::v4_mapped, a.to_v6());
    return a;
}

bool SameAddress(const ip::address& a, const ip::address& b) noexcept
{
    const auto pa = Plain(a), pb = Plain(b);
    if (pa.is_v6() && pb.is_v6())
        return pa.to_v6().to_bytes() == pb.to_v6().to_bytes();
    return pa == pb;
}

bool OnLinkOf(const std::vector<net::InterfaceAddress>& interfaces, const std::string& name,
              const ip::address& remote) noexcept
{
    return std::any_of(interfaces.begin(), interfaces.end(), [&](const auto& i) {
        return i.name == name && net::SameSubnet(i.address, remote, i.netmask);
    });
}

// Whether we talk on interface `on`: one named, or any but loopback.
bool TalksOn(const AdmissionRules& rules, const std::vector<net::InterfaceAddress>& interfaces,
             const std::string& on) noexcept
{
    if (!rules.interfaces.empty())
        return std::find(rules.interfaces.begin(), rules.interfaces.end(), on) !=
               rules.interfaces.end();
    return std::none_of(interfaces.begin(), interfaces.end(),
                        [&](const auto& i) { return i.name == on && i.loopback; });
}

} // namespace

bool IsLinkLocal(const ip::address& address) noexcept
{
    const auto a = Plain(address);
    if (a.is_v4())
        return (a.to_v4().to_uint() & 0xffff0000u) == 0xa9fe0000u; // 169.254/16
    return a.to_v6().is_link_local();
}

std::string InterfaceOf(const std::vector<net::InterfaceAddress>& interfaces,
                        const ip::address& local)
{
    const auto ours = Plain(local);
    const bool scoped = ours.is_v6() && ours.to_v6().is_link_local() && ours.to_v6().scope_id();
    for (const auto& i : interfaces) {
        if (!SameAddress(i.address, ours))
            continue;
        if (scoped && i.index != ours.to_v6().scope_id())
            continue; // the same fe80 address on two links
        return i.name;
    }
    return {};
}

std::string AdmissionRefusal(const AdmissionRules& rules,
                             const std::vector<net::InterfaceAddress>& interfaces,
                             const ip::address& local, const ip::address& remote, std::size_t open,
                             std::size_t open_from)
{
    const std::string on = InterfaceOf(interfaces, local);
    if (on.empty())
        return "arrived on no interface we know";
    if (!TalksOn(rules, interfaces, on))
        return "arrived on " + on + ", which is not a link-local interface of ours";
    const bool link_local = IsLinkLocal(remote);
    if (rules.accept == LinkAccept::LinkLocal && !link_local)
        return "source is not a link-local address";
    if (rules.accept == LinkAccept::OnLink && !link_local &&
        !OnLinkOf(interfaces, on, Plain(remote)))
        return "source is neither link-local nor on the link of " + on;
    if (open >= rules.max_streams)
        return "already " + std::to_string(open) + " link-local streams";
    if (open_from >= rules.max_per_address)
        return "already " + std::to_string(open_from) + " streams from that address";
    return {};
}

std::size_t StreamCap(std::size_t configured, std::size_t fd_limit) noexcept
{
    return std::max<std::size_t>(1, std::min(configured, fd_limit / 2));
}

} // namespace pigeon::link
