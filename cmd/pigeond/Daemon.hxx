#pragma once
// The daemon as one object (MPD's Instance): it owns the store, our key
// pair, the link-local engine, the uplink, the control socket and the signal
// handlers, wires them together, and decides what a change of account does.
// main() parses the options and runs it; Commands reads and changes it.

#include "Config.hxx"
#include "DataDirLock.hxx"
#include "store/Store.hxx"
#include "util/EventBus.hxx"
#include "util/Time.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace pigeon::crypto {
class Identity;
}
namespace pigeon::ssl {
class TlsKey;
} // namespace pigeon::ssl
namespace pigeon::link {
class LinkManager;
}
namespace pigeon::store {
class WalSync;
}
namespace pigeon::uring {
class FsyncRing;
}
namespace pigeon::uplink {
class Uplink;
}
namespace pigeon::control {
class Server;
}

namespace pigeon {

class CheckpointTimer;
class Commands;
class ExpiryTimer;

class Daemon {
public:
    // Reads the settings again as at start (flags, then pigeon.conf), for
    // SIGHUP. Throws OptionsError.
    using Reread = std::function<DaemonConfig()>;

    // Makes the data and runtime directories (0700), locks the data directory
    // and opens the store: enough to answer for what is stored, and all that
    // tests need. Without `reread`, SIGHUP changes nothing. Throws
    // std::system_error, std::runtime_error (directory in use,
    // store::StoreError).
    explicit Daemon(DaemonConfig config, Reread reread = {});
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Loads or creates our key pair, starts the uplink (with an account), the
    // link-local engine (unless off), the control socket and the signal
    // handlers, tells systemd we are ready and runs the loop until SIGINT or
    // SIGTERM stops it; SIGHUP reloads the settings. Throws
    // std::system_error, std::runtime_error on start-up.
    void Run();

    store::Store& Store() noexcept { return store_; }
    // Changed by ReplaceAccount (`pigeonctl account set`) and Reload.
    const DaemonConfig& Config() const noexcept { return config_; }
    UnixMs Started() const noexcept { return started_; }
    // Null while link-local is off (or not started).
    link::LinkManager* Link() noexcept { return link_.get(); }
    // Null without an account (or before Run).
    uplink::Uplink* Uplink() noexcept { return uplink_.get(); }
    // What happens, for whoever watches (pigeonctl watch, send --wait).
    EventBus& Events() noexcept { return events_; }
    // Null before Run.
    ExpiryTimer* Expiry() noexcept { return expiry_.get(); }
    // Our end-to-end public key in base64; empty before Run.
    std::string PublicKey() const;

    // Makes `config` the daemon's and its account the one in use at once: the
    // old session says goodbye (its BOSH terminate gets a second to leave), a
    // new uplink starts, and the neighbours see the new jid. Throws
    // std::system_error if the new uplink cannot be set up (curl, netlink);
    // the daemon then runs without one.
    void ReplaceAccount(DaemonConfig config);
    // Reads the settings again (SIGHUP): those that can change while we run
    // take effect, the others are logged as needing a restart and keep their
    // value; settings that cannot be read change nothing. Never throws.
    void Reload() noexcept;

private:
    void Start();
    void Stop(int signal);
    void AwaitHangUp();
    void StartUplink();
    void StartWalSync();
    void LogReady();

    DaemonConfig config_;
    Reread reread_;
    UnixMs started_;
    DataDirLock lock_;
    store::Store store_;
    EventBus events_; // before everything that publishes on it
    std::unique_ptr<crypto::Identity> identity_;
    std::unique_ptr<ssl::TlsKey> tls_key_; // for the link only
    boost::asio::io_context io_{1};
    std::unique_ptr<CheckpointTimer> checkpoints_;
    std::unique_ptr<uring::FsyncRing> fsync_ring_; // null: no io_uring here
    std::unique_ptr<store::WalSync> wal_sync_;
    // The uplink first: the link layer tells it when it takes on messages.
    std::unique_ptr<ExpiryTimer> expiry_;
    std::unique_ptr<uplink::Uplink> uplink_;
    std::unique_ptr<link::LinkManager> link_;
    std::unique_ptr<uplink::Uplink> retiring_; // the old account's, saying goodbye
    boost::asio::steady_timer retire_{io_};
    std::unique_ptr<Commands> commands_;
    std::unique_ptr<control::Server> control_;
    std::optional<boost::asio::signal_set> signals_; // SIGINT, SIGTERM
    std::optional<boost::asio::signal_set> hangup_;  // SIGHUP
    boost::asio::steady_timer farewell_{io_};
    boost::asio::steady_timer logout_deadline_{io_};
    bool goodbyes_left_ = false;
    bool logged_out_ = false;
};

} // namespace pigeon
