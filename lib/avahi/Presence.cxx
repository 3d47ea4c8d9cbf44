#include "avahi/Presence.hxx"

#include "avahi/Browser.hxx"
#include "avahi/Handles.hxx"
#include "avahi/Poll.hxx"
#include "avahi/Publisher.hxx"
#include "util/Alive.hxx"
#include "util/Log.hxx"

#include <avahi-common/error.h>

#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>

namespace pigeon::avahi {
namespace {

constexpr std::chrono::seconds kFirstBackoff{1};
constexpr std::chrono::seconds kMaxBackoff{60};

} // namespace

// Owns the client and rebuilds it when avahi-daemon goes away; the browser
// and the publisher start (again) whenever the client reaches S_RUNNING.
class Presence::Impl final : Browser::Handler {
public:
    Impl(boost::asio::io_context& io, Listener& listener, std::string type)
        : listener_(listener), poll_(io), browser_(io, type, *this),
          publisher_(type,
                     [this](const std::string& name) {
                         browser_.Recheck();
                         listener_.OnOwnName(name);
                     }),
          reconnect_(io)
    {
        Connect();
    }

    ~Impl()
    {
        reconnect_.cancel();
        browser_.Stop(false);
        publisher_.Withdraw();
        client_.reset();
    }

    void Publish(std::string user, std::uint16_t port, TxtRecord txt)
    {
        publisher_.Publish(running_, std::move(user), port, std::move(txt));
    }
    void UpdateTxt(TxtRecord txt) { publisher_.UpdateTxt(std::move(txt)); }
    void Withdraw() noexcept
    {
        publisher_.Withdraw();
        browser_.Recheck();
    }
    std::string OwnInstance() const { return publisher_.Own(); }
    std::string PublishedName() const { return publisher_.Name(); }
    void Resolve(const std::string& instance, Lookup::Done done, Lookup::Enough enough)
    {
        browser_.Resolve(instance, std::move(done), std::move(enough));
    }
    std::vector<std::string> Neighbours() const { return browser_.Neighbours(); }

private:
    void OnAnnounced(const std::string& instance) noexcept override
    {
        listener_.OnNeighbourAnnounced(instance);
    }
    void OnUp(const ServiceInfo& info) noexcept override { listener_.OnNeighbourUp(info); }
    void OnDown(const std::string& instance) noexcept override
    {
        listener_.OnNeighbourDown(instance);
    }
    void OnTxt(const std::string& instance, const TxtRecord& txt) noexcept override
    {
        listener_.OnNeighbourTxt(instance, txt);
    }
    bool IsOwnName(const std::string& instance) const noexcept override
    {
        return !publisher_.Name().empty() && instance == publisher_.Name();
    }

    void Connect() noexcept
    {
        int error = 0;
        // NO_FAIL: without a daemon the client waits in CONNECTING until one appears.
        // The callback may run before avahi_client_new() returns.
        AvahiClient* client =
            avahi_client_new(poll_.Get(), AVAHI_CLIENT_NO_FAIL, OnClientEvent, this, &error);
        if (client == nullptr) {
            // Typically no system bus at all.
            log::Warning("avahi", std::string("cannot create an Avahi client: ") +
                                      avahi_strerror(error) + "; retrying in " +
                                      std::to_string(backoff_.count()) + " s");
            ScheduleReconnect(backoff_);
            return;
        }
        client_.reset(client);
    }

    // Later, from the loop: the client must not be freed inside its own callback.
    void ScheduleReconnect(std::chrono::seconds delay) noexcept
    {
        if (delay > std::chrono::seconds(0))
            backoff_ = std::min(backoff_ * 2, kMaxBackoff);
        reconnect_.expires_after(delay);
        reconnect_.async_wait([this, token = alive_.Watch()](boost::system::error_code ec) {
            if (ec || token.Gone())
                return;
            TearDown();
            Connect();
        });
    }

    void TearDown() noexcept
    {
        running_ = nullptr;
        const auto count = browser_.Neighbours().size();
        if (count > 0)
            log::Notice("avahi", "reporting " + std::to_string(count) + " neighbour(s) down");
        browser_.Stop(true);
        publisher_.OnLost();
        client_.reset();
    }

    static void OnClientEvent(AvahiClient* client, AvahiClientState state, void* userdata) noexcept
    {
        static_cast<Impl*>(userdata)->OnClientState(client, state);
    }

    void OnClientState(AvahiClient* client, AvahiClientState state) noexcept
    {
        switch (state) {
        case AVAHI_CLIENT_S_RUNNING:
            running_ = client;
            backoff_ = kFirstBackoff;
            if (lost_)
                log::Notice("avahi", "avahi-daemon is back");
            lost_ = false;
            browser_.Start(*client);
            publisher_.OnRunning(*client);
            break;
        case AVAHI_CLIENT_S_COLLISION:
            log::Notice("avahi", "host name collision; avahi-daemon picks a new host name");
            [[fallthrough]];
        case AVAHI_CLIENT_S_REGISTERING:
            // The daemon drops every entry while it (re)registers the host
            // name; we publish again on S_RUNNING.
            running_ = nullptr;
            publisher_.OnLost();
            break;
        case AVAHI_CLIENT_CONNECTING:
            running_ = nullptr;
            log::Notice("avahi", "avahi-daemon is not running; waiting for it");
            break;
        case AVAHI_CLIENT_FAILURE:
            running_ = nullptr;
            if (const int error = avahi_client_errno(client); error == AVAHI_ERR_DISCONNECTED) {
                log::Notice("avahi", "lost the connection to avahi-daemon; reconnecting");
                lost_ = true;
                ScheduleReconnect(std::chrono::seconds(0));
            } else {
                log::Warning("avahi", std::string("Avahi client failed: ") + avahi_strerror(error) +
                                          "; retrying in " + std::to_string(backoff_.count()) +
                                          " s");
                ScheduleReconnect(backoff_);
            }
            break;
        }
    }

    Listener& listener_;
    Poll poll_;
    // Declared before what hangs off it, so that it is destroyed after.
    ClientPtr client_;
    AvahiClient* running_ = nullptr;
    Browser browser_;
    Publisher publisher_;
    bool lost_ = false;
    std::chrono::seconds backoff_ = kFirstBackoff;
    boost::asio::steady_timer reconnect_;
    // Completions still queued when we are destroyed check this first.
    Alive alive_;
};

Presence::Presence(boost::asio::io_context& io, Listener& listener, std::string service_type)
    : impl_(std::make_unique<Impl>(io, listener, std::move(service_type)))
{
}

Presence::~Presence() = default;

void Presence::Publish(std::string user, std::uint16_t port, TxtRecord txt)
{
    impl_->Publish(std::move(user), port, std::move(txt));
}

void Presence::UpdateTxt(TxtRecord txt)
{
    impl_->UpdateTxt(std::move(txt));
}

void Presence::Withdraw() noexcept
{
    impl_->Withdraw();
}

std::string Presence::OwnInstance() const
{
    return impl_->OwnInstance();
}

std::string Presence::PublishedName() const
{
    return impl_->PublishedName();
}

void Presence::Resolve(const std::string& instance,
                       std::function<void(std::optional<ServiceInfo>)> done,
                       std::function<bool(const ServiceInfo&)> enough)
{
    impl_->Resolve(instance, std::move(done), std::move(enough));
}

std::vector<std::string> Presence::Neighbours() const
{
    return impl_->Neighbours();
}

} // namespace pigeon::avahi
