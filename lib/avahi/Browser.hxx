#pragma once
// Browses one service type on all interfaces and both protocols and keeps one
// neighbour per instance name, however many (interface, protocol) pairs it is
// announced on. A neighbour is reported announced as soon as its first
// announcement comes (its SRV and TXT records may not answer yet: a responder
// probes them for about 0.75 s first, RFC 6762 section 8.1), up once it has
// been resolved, and down when its last announcement is gone.

#include "avahi/Handles.hxx"
#include "avahi/Lookup.hxx"
#include "avahi/ServiceInfo.hxx"
#include "util/Alive.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace pigeon::avahi {

class Browser {
public:
    struct Handler {
        // `instance` is announced, not resolved yet. OnDown follows when the
        // announcement goes, whether it was ever up or not.
        virtual void OnAnnounced(const std::string& instance) noexcept = 0;
        virtual void OnUp(const ServiceInfo& info) noexcept = 0;
        virtual void OnDown(const std::string& instance) noexcept = 0;
        // A neighbour that is up published a different TXT record.
        virtual void OnTxt(const std::string& instance, const TxtRecord& txt) noexcept = 0;
        // True for the name we publish (or are trying to).
        virtual bool IsOwnName(const std::string& instance) const noexcept = 0;

    protected:
        ~Handler() = default;
    };

    Browser(boost::asio::io_context& io, std::string type, Handler& handler);
    // Frees everything without reporting.
    ~Browser();
    Browser(const Browser&) = delete;
    Browser& operator=(const Browser&) = delete;

    // Starts browsing on a running client, unless it already does. If Avahi
    // refuses, logs and tries again later.
    void Start(AvahiClient& client) noexcept;
    // Frees the browser and all resolvers; call before the client is freed.
    // With `report`, every neighbour that was up goes down and Resolve calls
    // under way complete with what they have.
    void Stop(bool report) noexcept;

    // Our name changed: an announcement held back because it had our name
    // may be a neighbour now.
    void Recheck() noexcept;

    // See Presence::Resolve; `done` is posted to the loop. Throws std::bad_alloc only.
    void Resolve(const std::string& instance, Lookup::Done done, Lookup::Enough enough = {});
    std::vector<std::string> Neighbours() const;

private:
    using Announcement = std::pair<AvahiIfIndex, AvahiProtocol>;

    // Follows a neighbour's TXT record while it is up: XEP-0174 peers change
    // it in place (status, jid) rather than announcing again.
    struct TxtWatch {
        Browser* browser;
        std::string name;
        TxtRecord txt; // as last reported
        RecordBrowserPtr handle;
    };

    struct Neighbour {
        std::set<Announcement> seen;
        bool announced = false; // reported by OnAnnounced
        bool up = false;
        std::unique_ptr<TxtWatch> txt_watch;
        // The first resolve, until it is up.
        std::shared_ptr<Lookup> lookup;
        unsigned failures = 0;
        std::unique_ptr<boost::asio::steady_timer> retry;
    };

    static void OnEvent(AvahiServiceBrowser* browser, AvahiIfIndex interface,
                        AvahiProtocol protocol, AvahiBrowserEvent event, const char* name,
                        const char* type, const char* domain, AvahiLookupResultFlags flags,
                        void* userdata) noexcept;
    void OnNew(Announcement where, const std::string& name) noexcept;
    void OnRemove(Announcement where, const std::string& name) noexcept;
    void OnFailure() noexcept;
    void WatchTxt(const std::string& name, Neighbour& neighbour, const TxtRecord& txt) noexcept;
    static void OnTxtEvent(AvahiRecordBrowser* browser, AvahiIfIndex interface,
                           AvahiProtocol protocol, AvahiBrowserEvent event, const char* name,
                           std::uint16_t clazz, std::uint16_t type, const void* rdata,
                           std::size_t size, AvahiLookupResultFlags flags, void* userdata) noexcept;
    void ResolveFirst(const std::string& name, Neighbour& neighbour) noexcept;
    bool IsThisHost(const std::string& host_name) const noexcept;
    void OnFirstResolved(const std::string& name, std::optional<ServiceInfo> info) noexcept;
    void ScheduleRetry(const std::string& name, Neighbour& neighbour) noexcept;
    void ScheduleRestart() noexcept;
    void PostDone(Lookup::Done done, std::optional<ServiceInfo> info) noexcept;

    boost::asio::io_context& io_;
    std::string type_;
    Handler& handler_;
    AvahiClient* client_ = nullptr;
    ServiceBrowserPtr browser_;
    std::map<std::string, Neighbour> neighbours_;
    // Resolve() calls under way, by id; those of names not announced to us.
    std::map<unsigned, std::shared_ptr<Lookup>> resolves_;
    std::set<unsigned> unannounced_;
    unsigned next_resolve_ = 0;
    boost::asio::steady_timer restart_;
    // Completions still queued when we are destroyed check this first.
    Alive alive_;
};

} // namespace pigeon::avahi
