#pragma once
// One instance resolved on several (interface, protocol) announcements at
// once, for both address families, merged into one ServiceInfo. Each
// resolver is freed as soon as it answers; only plain values are handed on.
// It ends as soon as what was found is enough (by default: one address we
// can connect to), so that no caller waits for answers it does not need.

#include "avahi/Handles.hxx"
#include "avahi/ServiceInfo.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pigeon::avahi {

// An address connect() can use: IPv4, or IPv6 with the scope a link-local one needs.
bool HasUsableEndpoint(const ServiceInfo& info) noexcept;
// Usable addresses of both families: all a dual-stack neighbour announces on
// one link (a host without one of them waits the grace for it instead).
bool HasBothFamilies(const ServiceInfo& info) noexcept;

class Lookup : public std::enable_shared_from_this<Lookup> {
public:
    using Done = std::function<void(std::optional<ServiceInfo>)>;
    // Whether what was found so far is all the caller needs; must not throw.
    using Enough = std::function<bool(const ServiceInfo&)>;

    // Must be owned by a shared_ptr. `done` runs once: when `enough` holds
    // (empty: HasUsableEndpoint), when every resolver has answered, a short
    // grace after the first answer, at the deadline, or from Finish(); never
    // after the Lookup is destroyed.
    Lookup(boost::asio::io_context& io, AvahiClient& client, std::string instance, std::string type,
           Done done, Enough enough = {});
    ~Lookup();
    Lookup(const Lookup&) = delete;
    Lookup& operator=(const Lookup&) = delete;

    // Resolves on one more announcement. A resolver Avahi refuses counts as
    // failed. Throws std::bad_alloc only.
    void Add(AvahiIfIndex interface, AvahiProtocol protocol);
    // Avahi's own resolvers give up after about 5 s.
    static constexpr std::chrono::seconds kTimeout{6};

    // Arms the deadline; call once, after the first Add.
    void Start(std::chrono::steady_clock::duration timeout = kTimeout) noexcept;
    // Frees the resolvers and hands on what was found so far (the daemon went away).
    void Finish() noexcept;
    bool Finished() const noexcept { return finished_; }

private:
    struct Resolver {
        Lookup* lookup;
        ServiceResolverPtr handle;
    };

    static void OnEvent(AvahiServiceResolver* resolver, AvahiIfIndex interface,
                        AvahiProtocol protocol, AvahiResolverEvent event, const char* name,
                        const char* type, const char* domain, const char* host_name,
                        const AvahiAddress* address, std::uint16_t port, AvahiStringList* txt,
                        AvahiLookupResultFlags flags, void* userdata) noexcept;
    // Returns whether the lookup finished.
    bool OnFound(AvahiIfIndex interface, const char* host_name, const AvahiAddress& address,
                 std::uint16_t port, AvahiStringList* txt) noexcept;
    void OnResolverDone(Resolver& resolver) noexcept;
    void ArmTimer(std::chrono::steady_clock::time_point when) noexcept;

    AvahiClient& client_;
    std::string instance_;
    std::string type_;
    Done done_;
    Enough enough_;
    bool finished_ = false;
    std::vector<std::unique_ptr<Resolver>> resolvers_;
    std::optional<ServiceInfo> result_;
    boost::asio::steady_timer timer_;
    std::chrono::steady_clock::time_point deadline_;
};

} // namespace pigeon::avahi
