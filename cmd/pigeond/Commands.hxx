#pragma once
// The control requests pigeond answers (doc/control-protocol.md), on top of
// the store. Every refusal is a control::RequestError with a stable code.

#include "Config.hxx"
#include "control/Json.hxx"
#include "control/Server.hxx"

#include <functional>
#include <map>

namespace pigeon::store {
class Store;
}
namespace pigeon::link {
class LinkManager;
}
namespace pigeon::uplink {
class Uplink;
}

namespace pigeon {

// The parts of the daemon that may be switched off (null).
struct Services {
    link::LinkManager* link = nullptr;
    uplink::Uplink* uplink = nullptr;
    // Makes `config` the daemon's configuration and replaces the uplink by one
    // for its account; returns the new uplink. Unset: accounts cannot change.
    // May throw std::system_error (curl or netlink set-up).
    std::function<uplink::Uplink*(DaemonConfig config)> replace_uplink;
    // Our end-to-end key, shown as a fingerprint.
    std::string public_key; // base64
};

class Commands {
public:
    Commands(store::Store& store, const DaemonConfig& config, UnixMs started,
             Services services = {}) noexcept
        : store_(store), config_(config), started_(started), link_(services.link),
          uplink_(services.uplink), replace_uplink_(std::move(services.replace_uplink)),
          public_key_(std::move(services.public_key))
    {
    }

    // Answers through `respond`, at once or (account requests that wait on
    // the server) later. Throws control::RequestError for bad requests,
    // std::system_error on store failure.
    void Handle(const control::Json& request, control::Server::Respond respond);
    // The requests answered at once. Throws like Handle.
    control::Json Execute(const control::Json& request);

private:
    control::Json Send(const control::Json& request);
    control::Json Show(const control::Json& request);
    control::Json Search(const control::Json& request);
    control::Json Status();
    control::Json Connectivity() const;
    control::Json Peers(const control::Json& request);
    control::Json Account() const;
    control::Json Presence(const control::Json& request);
    control::Json AddContact(const control::Json& request);
    void ChangePassword(const control::Json& request, control::Server::Respond respond);
    control::Json SetAccount(const control::Json& request);
    // A reply that waits on the server; Answer() sends it unless already sent.
    unsigned Await(control::Server::Respond respond);
    void Answer(unsigned ticket, const control::Json& reply);

    store::Store& store_;
    const DaemonConfig& config_;
    UnixMs started_;
    link::LinkManager* link_;
    uplink::Uplink* uplink_;
    std::function<uplink::Uplink*(DaemonConfig config)> replace_uplink_;
    std::string public_key_;
    std::map<unsigned, control::Server::Respond> awaiting_;
    unsigned next_ticket_ = 0;
};

} // namespace pigeon
