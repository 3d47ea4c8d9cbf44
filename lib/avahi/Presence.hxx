#pragma once
// XEP-0174 link-local presence over mDNS: publishes "<user>@<host>" as a
// `_presence._tcp` service and tells a Listener which neighbours come and go.
// Survives avahi-daemon restarts and name collisions by itself.
//
// Runs on one io_context, single-threaded. Listener and Resolve callbacks run
// on that loop; they must not destroy the Presence.

#include "avahi/ServiceInfo.hxx"

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pigeon::avahi {

class Presence {
public:
    struct Listener {
        // An instance is announced that is not up: its SRV and TXT records
        // may not answer for a while yet (see Browser). OnNeighbourUp follows
        // once it resolves, or OnNeighbourDown when the announcement goes.
        virtual void OnNeighbourAnnounced([[maybe_unused]] const std::string& instance) noexcept {}
        // A new instance appeared (first (interface, protocol) it is seen on),
        // already resolved once (so TXT is known).
        virtual void OnNeighbourUp(const ServiceInfo& info) noexcept = 0;
        // The last (interface, protocol) announcement of that instance went
        // away, or the avahi-daemon connection was lost.
        virtual void OnNeighbourDown(const std::string& instance) noexcept = 0;
        // A neighbour that is up changed its TXT record (status, jid, ...).
        virtual void OnNeighbourTxt([[maybe_unused]] const std::string& instance,
                                    [[maybe_unused]] const TxtRecord& txt) noexcept
        {
        }
        // Our own instance is announced: first established, renamed after a
        // collision, or established again after avahi-daemon came back.
        // OwnInstance() is empty in between.
        virtual void OnOwnName([[maybe_unused]] const std::string& instance) noexcept {}

    protected:
        ~Listener() = default;
    };

    // Joins the io_context through an AvahiPoll adapter and starts browsing.
    // A missing avahi-daemon (or system bus) is not an error: it connects
    // when the daemon appears. Throws std::bad_alloc only.
    Presence(boost::asio::io_context& io, Listener& listener,
             std::string service_type = "_presence._tcp");
    // Withdraws our announcement (goodbye) and frees everything. Calls no
    // listener and no pending Resolve callback.
    ~Presence();
    Presence(const Presence&) = delete;
    Presence& operator=(const Presence&) = delete;

    // Publishes "<user>@<host>" (host: the Avahi host name) on `port` with
    // `txt`, replacing an earlier Publish. Re-publishes by itself after an
    // avahi-daemon restart or a name collision. Throws std::system_error
    // (avahi category) if the daemon is there and refuses the service (bad
    // name, TXT entry over 255 bytes, ...); then nothing is published.
    void Publish(std::string user, std::uint16_t port, TxtRecord txt);
    // Changes the TXT record in place (e.g. status avail/away); does nothing
    // unless published. The record is kept for re-publishing either way;
    // throws std::system_error if the daemon refuses the update.
    void UpdateTxt(TxtRecord txt);
    // Sends goodbye and stops publishing; browsing goes on. Never throws.
    void Withdraw() noexcept;
    // Our registered instance name; empty until registered (and while the
    // daemon is away).
    std::string OwnInstance() const;
    // The name we publish or are registering: OwnInstance() once registered,
    // and already while avahi-daemon probes it. Empty when not publishing.
    std::string PublishedName() const;

    // Resolves `instance` afresh (new resolvers, not our copy from
    // OnNeighbourUp) on every (interface, protocol) it is announced on (on
    // every interface if it is not announced to us yet), and
    // calls `done` once, later, from the loop, with the endpoints found so
    // far merged, as soon as `enough` holds for them (empty: one address
    // connect() can use), else once every answer is in; nullopt if nothing
    // resolved within a few seconds.
    void Resolve(const std::string& instance, std::function<void(std::optional<ServiceInfo>)> done,
                 std::function<bool(const ServiceInfo&)> enough = {});
    // Instances announced and resolved (those reported up), without ourselves.
    std::vector<std::string> Neighbours() const;

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace pigeon::avahi
