#pragma once
// Our own announcement: one entry group holding "<user>@<host>". Renames on a
// collision (avahi_alternative_service_name) and keeps the renamed name across
// daemon restarts, so that two programs never swap names.
//
// Its SRV and TXT records are published without probing, which RFC 6762
// section 8.1 asks for unique records, so that a neighbour can resolve us
// (and take what we carry) at once, not ~0.75 s later. The probe would find
// no one: the name's host part is avahi-daemon's own host name, which it has
// probed, and a second publisher of the name on this host is refused by
// avahi-daemon before anything is sent (a local collision, renamed here). A
// conflicting record seen later still makes avahi-daemon announce ours again,
// and a responder that probes, as a squatter that took our name first, yields.

#include "avahi/Handles.hxx"
#include "avahi/ServiceInfo.hxx"
#include "avahi/ServiceRecords.hxx"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pigeon::avahi {

class Publisher {
public:
    // Called each time our announcement is established: the first time,
    // after a rename, and again after the daemon came back (same name).
    using Established = std::function<void(const std::string& instance)>;

    Publisher(std::string type, Established established);
    ~Publisher();
    Publisher(const Publisher&) = delete;
    Publisher& operator=(const Publisher&) = delete;

    // Remembers what to publish and registers it now on a running client
    // (nullptr: later, from OnRunning). Throws std::system_error if Avahi
    // refuses; then nothing is published.
    void Publish(AvahiClient* client, std::string user, std::uint16_t port, TxtRecord txt);
    // Throws std::system_error if Avahi refuses the update; the record is
    // kept for the next registration either way.
    void UpdateTxt(TxtRecord txt);
    void Withdraw() noexcept;

    // The client is (again) running: registers if wanted. Logs failures.
    void OnRunning(AvahiClient& client) noexcept;
    // The daemon went away, or the host name is being changed: our entries
    // are gone; the group is freed (call before the client is freed).
    void OnLost() noexcept;

    // Empty until the group is established.
    const std::string& Own() const noexcept { return own_; }
    // The name we publish or are trying to.
    const std::string& Name() const noexcept { return name_; }

private:
    struct Wanted {
        std::string user;
        std::uint16_t port;
        TxtRecord txt;
    };

    static void OnGroupEvent(AvahiEntryGroup* group, AvahiEntryGroupState state,
                             void* userdata) noexcept;
    void OnGroupState(AvahiEntryGroup* group, AvahiEntryGroupState state) noexcept;
    // Throws std::system_error.
    void Register(AvahiClient& client);
    // Adds our records to the group; an AVAHI_ERR_* code if one is refused.
    int AddRecords(const std::vector<RawRecord>& records, int extra_flags = 0) noexcept;
    void Rename(const char* why) noexcept;

    std::string type_;
    Established established_;
    std::optional<Wanted> wanted_;
    // The Avahi host name name_ was made from.
    std::string host_;
    std::string name_;
    std::string service_; // name_'s escaped full DNS-SD name, once registered
    std::string own_;
    EntryGroupPtr group_;
};

} // namespace pigeon::avahi
