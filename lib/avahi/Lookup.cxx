#include "avahi/Lookup.hxx"

#include "avahi/Txt.hxx"
#include "util/Log.hxx"

#include <avahi-common/error.h>

#include <algorithm>
#include <cstring>

namespace pigeon::avahi {
namespace {

// Once one answer is in, the others (the other address family, other
// interfaces) come within milliseconds on a link, or not at all: an A record
// is usually not published over IPv6 mDNS. Only a lookup whose first answers
// are not enough (no usable address, not the address asked about) waits
// this long for the rest.
constexpr auto kGrace = std::chrono::milliseconds(200);

Endpoint ToEndpoint(AvahiIfIndex interface, const AvahiAddress& address, std::uint16_t port)
{
    namespace ip = boost::asio::ip;
    Endpoint endpoint;
    endpoint.port = port;
    endpoint.interface = interface;
    if (address.proto == AVAHI_PROTO_INET) {
        ip::address_v4::bytes_type bytes;
        std::memcpy(bytes.data(), &address.data.ipv4.address, bytes.size());
        endpoint.address = ip::address_v4(bytes);
    } else {
        ip::address_v6::bytes_type bytes;
        std::memcpy(bytes.data(), address.data.ipv6.address, bytes.size());
        ip::address_v6 v6(bytes);
        // Without the scope a fe80:: address is useless to connect().
        if (v6.is_link_local())
            v6.scope_id(interface);
        endpoint.address = v6;
    }
    return endpoint;
}

bool Usable(const Endpoint& e) noexcept
{
    if (e.address.is_unspecified() || e.port == 0)
        return false;
    return !e.address.is_v6() || !e.address.to_v6().is_link_local() ||
           e.address.to_v6().scope_id() != 0;
}

} // namespace

bool HasUsableEndpoint(const ServiceInfo& info) noexcept
{
    return std::any_of(info.endpoints.begin(), info.endpoints.end(), Usable);
}

bool HasBothFamilies(const ServiceInfo& info) noexcept
{
    const auto has = [&](bool v6) {
        return std::any_of(info.endpoints.begin(), info.endpoints.end(), [v6](const Endpoint& e) {
            return e.address.is_v6() == v6 && Usable(e);
        });
    };
    return has(false) && has(true);
}

Lookup::Lookup(boost::asio::io_context& io, AvahiClient& client, std::string instance,
               std::string type, Done done, Enough enough)
    : client_(client), instance_(std::move(instance)), type_(std::move(type)),
      done_(std::move(done)), enough_(enough ? std::move(enough) : Enough(HasUsableEndpoint)),
      timer_(io)
{
}

Lookup::~Lookup() = default;

void Lookup::Add(AvahiIfIndex interface, AvahiProtocol protocol)
{
    if (finished_)
        return;
    const AvahiProtocol other = protocol == AVAHI_PROTO_INET ? AVAHI_PROTO_INET6 : AVAHI_PROTO_INET;
    for (AvahiProtocol family : {protocol, other}) {
        auto resolver = std::make_unique<Resolver>(Resolver{this, nullptr});
        resolver->handle.reset(avahi_service_resolver_new(
            &client_, interface, protocol, instance_.c_str(), type_.c_str(), nullptr, family,
            AvahiLookupFlags(0), OnEvent, resolver.get()));
        if (resolver->handle == nullptr) {
            log::Debug("avahi", "cannot resolve '" + instance_ +
                                    "': " + avahi_strerror(avahi_client_errno(&client_)));
            continue;
        }
        resolvers_.push_back(std::move(resolver));
    }
}

void Lookup::Start(std::chrono::steady_clock::duration timeout) noexcept
{
    deadline_ = std::chrono::steady_clock::now() + timeout;
    // With no resolver at all, the timer still reports the failure from the loop.
    ArmTimer(resolvers_.empty() ? std::chrono::steady_clock::now() : deadline_);
}

void Lookup::ArmTimer(std::chrono::steady_clock::time_point when) noexcept
{
    timer_.expires_at(when);
    timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (self != nullptr && !ec)
            self->Finish();
    });
}

void Lookup::Finish() noexcept
{
    if (finished_)
        return;
    finished_ = true;
    timer_.cancel();
    resolvers_.clear();
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(result_));
}

void Lookup::OnEvent(AvahiServiceResolver*, AvahiIfIndex interface, AvahiProtocol,
                     AvahiResolverEvent event, const char*, const char*, const char*,
                     const char* host_name, const AvahiAddress* address, std::uint16_t port,
                     AvahiStringList* txt, AvahiLookupResultFlags, void* userdata) noexcept
{
    auto& resolver = *static_cast<Resolver*>(userdata);
    // `done` may drop the owner's reference; stay alive until we return.
    const auto self = resolver.lookup->shared_from_this();
    if (event == AVAHI_RESOLVER_FOUND && address != nullptr) {
        if (self->OnFound(interface, host_name, *address, port, txt))
            return; // every resolver, this one too, is gone
    } else {
        log::Debug("avahi", "resolving '" + self->instance_ + "' on interface " +
                                std::to_string(interface) +
                                " failed: " + avahi_strerror(avahi_client_errno(&self->client_)));
    }
    self->OnResolverDone(resolver);
}

bool Lookup::OnFound(AvahiIfIndex interface, const char* host_name, const AvahiAddress& address,
                     std::uint16_t port, AvahiStringList* txt) noexcept
{
    if (finished_)
        return true;
    if (!result_) {
        result_.emplace();
        result_->instance = instance_;
        result_->host_name = host_name != nullptr ? host_name : "";
        result_->txt = FromStringList(txt);
        deadline_ = std::min(deadline_, std::chrono::steady_clock::now() + kGrace);
        ArmTimer(deadline_);
    }
    auto endpoint = ToEndpoint(interface, address, port);
    auto& endpoints = result_->endpoints;
    if (std::find(endpoints.begin(), endpoints.end(), endpoint) == endpoints.end())
        endpoints.push_back(std::move(endpoint));
    if (!enough_(*result_))
        return false;
    Finish();
    return true;
}

void Lookup::OnResolverDone(Resolver& resolver) noexcept
{
    // Freeing a resolver from its own callback is allowed.
    std::erase_if(resolvers_, [&](const auto& r) { return r.get() == &resolver; });
    if (resolvers_.empty())
        Finish();
}

} // namespace pigeon::avahi
