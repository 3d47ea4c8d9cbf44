// pigeond: the peer-and-carrier daemon. One thread, one Boost.Asio loop;
// see doc/error-handling.md for what is fatal here and what is survived.

#include "Commands.hxx"
#include "Options.hxx"
#include "control/Server.hxx"
#include "link/LinkManager.hxx"
#include "uplink/HostMeta.hxx"
#include "uplink/Uplink.hxx"
#include "crypto/Identity.hxx"
#include "crypto/Random.hxx"
#include "store/Store.hxx"
#include "systemd/Notify.hxx"
#include "util/Log.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <system_error>

namespace {
using namespace pigeon;

// Creates `dir` (and parents) private to us; an existing directory keeps its
// mode (it may be the user's own choice). Throws std::system_error.
void MakePrivateDir(const std::filesystem::path& dir)
{
    if (std::filesystem::create_directories(dir) && chmod(dir.c_str(), 0700) != 0)
        throw std::system_error(errno, std::generic_category(), "cannot chmod " + dir.string());
}

// Holds an exclusive lock on the data directory for the daemon's lifetime, so
// two daemons never write one store. Throws std::runtime_error.
class DataDirLock {
public:
    explicit DataDirLock(const std::filesystem::path& dir)
        : fd_(open((dir / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600))
    {
        if (fd_ < 0)
            throw std::system_error(errno, std::generic_category(),
                                    "cannot open " + (dir / "lock").string());
        if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            close(fd_);
            throw std::runtime_error("another pigeond is already using " + dir.string());
        }
    }
    ~DataDirLock() { close(fd_); }
    DataDirLock(const DataDirLock&) = delete;
    DataDirLock& operator=(const DataDirLock&) = delete;

private:
    int fd_;
};

link::LinkConfig MakeLinkConfig(const DaemonConfig& c)
{
    link::LinkConfig l;
    l.user = c.name;
    l.port = std::uint16_t(c.port);
    l.account = c.account;
    l.carriers = c.carriers;
    l.carry = c.carry;
    l.ttl = UnixMs{c.ttl_hours} * 3600 * 1000;
    l.carry_quota = c.carry_quota;
    l.batch_bytes = c.max_stanza * 3 / 8; // leave room for escaping and the envelope
    l.stream.limits.max_stanza_bytes = c.max_stanza;
    l.stream.idle_timeout = std::chrono::seconds(c.link_idle_seconds);
    if (!c.first_name.empty())
        l.profile["1st"] = c.first_name;
    if (!c.last_name.empty())
        l.profile["last"] = c.last_name;
    if (!c.nick.empty())
        l.profile["nick"] = c.nick;
    return l;
}

uplink::UplinkConfig MakeUplinkConfig(const DaemonConfig& c, const crypto::Identity& identity)
{
    uplink::UplinkConfig u;
    u.identity = &identity;
    u.account = c.account;
    u.password = c.password;
    u.bosh_url = c.bosh_url;
    if (c.bosh_url.empty())
        u.host_meta_url = c.host_meta_url.empty() ? uplink::DefaultHostMetaUrl(c.account)
                                                  : c.host_meta_url;
    u.discovered_url_file = c.DiscoveredUrlFile();
    if (!c.password_file.empty()) {
        u.password_file = c.password_file;
        u.reread_password = [path = c.password_file] { return ReadPasswordFile(path); };
    }
    u.probe.url = c.probe_url;
    u.probe.max_interval = std::chrono::seconds(c.probe_interval_max);
    u.only_pigeons = c.only_pigeons;
    return u;
}

// The uplink for config's account, or null without one. Throws like Uplink's constructor.
std::unique_ptr<uplink::Uplink> MakeUplink(boost::asio::io_context& io, store::Store& store,
                                           const DaemonConfig& config,
                                           const crypto::Identity& identity)
{
    if (config.account.empty()) {
        log::Notice("pigeond", "no account configured: link-local only");
        return nullptr;
    }
    return std::make_unique<uplink::Uplink>(io, store, MakeUplinkConfig(config, identity));
}

// `config` is changed only by `pigeonctl account set`, through Commands.
int Run(DaemonConfig config)
{
    crypto::Initialise();
    MakePrivateDir(config.data_dir);
    MakePrivateDir(config.runtime_dir);
    DataDirLock lock(config.data_dir);
    store::Store store(config.DatabaseFile());
    const auto identity = crypto::Identity::LoadOrCreate(config.IdentityFile());

    boost::asio::io_context io(1);
    // The uplink first: the link layer tells it when it takes on messages.
    std::unique_ptr<uplink::Uplink> uplink = MakeUplink(io, store, config, identity);
    std::unique_ptr<link::LinkManager> link;
    if (config.link_local) {
        auto link_config = MakeLinkConfig(config);
        link_config.identity = &identity;
        link_config.on_carried = [&uplink] {
            if (uplink) // there may be none yet, or a new one since
                uplink->Flush();
        };
        link = std::make_unique<link::LinkManager>(io, store, std::move(link_config));
    }
    // A new account takes effect at once: the old session says goodbye (its
    // BOSH terminate gets a moment to leave), a new one starts, and the
    // neighbours see the new jid.
    std::unique_ptr<uplink::Uplink> retiring;
    boost::asio::steady_timer retire(io);
    auto replace_uplink = [&](DaemonConfig updated) {
        if (uplink) {
            uplink->Shutdown();
            retiring = std::move(uplink);
            retire.expires_after(std::chrono::seconds(1));
            retire.async_wait([&](boost::system::error_code ec) {
                if (!ec)
                    retiring.reset();
            });
        }
        config = std::move(updated);
        if (link)
            link->SetAccount(config.account);
        uplink = MakeUplink(io, store, config, identity);
        return uplink.get();
    };
    Commands commands(store, config, NowMs(), {link.get(), uplink.get(), replace_uplink, crypto::ToBase64(identity.Public())});
    control::Server control(io, config.ControlSocket(),
                            [&commands](const control::Json& request,
                                        control::Server::Respond respond) {
                                commands.Handle(request, std::move(respond));
                            });

    boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
    boost::asio::steady_timer farewell(io);
    signals.async_wait([&](boost::system::error_code ec, int signal) {
        if (ec)
            return;
        log::Notice("pigeond", std::string("stopping on ") + strsignal(signal));
        systemd::NotifyStopping();
        control.Close();
        link.reset(); // goodbye to the neighbours before we go
        if (uplink)
            uplink->Shutdown(); // unavailable presence and BOSH terminate
        // Let the goodbyes leave; nothing else is waited for.
        farewell.expires_after(std::chrono::milliseconds(500));
        farewell.async_wait([&](boost::system::error_code) { io.stop(); });
    });

    const auto sizes = store.GetQueueSizes();
    log::Notice("pigeond", std::string("ready (") + PIGEON_VERSION + "), " +
                               std::to_string(sizes.outbox_pending) + " queued, " +
                               std::to_string(sizes.carrying) + " carried, control socket " +
                               config.ControlSocket().string() +
                               (link ? ", link-local port " + std::to_string(link->Port())
                                     : std::string(", link-local off")));
    systemd::NotifyReady();
    io.run();
    return 0;
}

} // namespace

int main(int argc, char* argv[])
{
    std::signal(SIGPIPE, SIG_IGN); // a client that hangs up must not kill us
    umask(077);                    // the store and everything else we write is private
    ParsedOptions options;
    try {
        options = ParseDaemonOptions(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pigeond: %s\nTry 'pigeond --help'.\n", e.what());
        return 2;
    }
    if (options.show_help) {
        std::fputs(options.help_text.c_str(), stdout);
        return 0;
    }
    if (options.show_version) {
        std::puts("pigeond " PIGEON_VERSION);
        return 0;
    }
    log::SetLevel(options.config.log_level);
    try {
        const int status = Run(options.config);
        log::Notice("pigeond", "stopped"); // everything has been torn down
        return status;
    } catch (const std::exception& e) {
        log::Error("pigeond", e.what());
        return 1;
    }
}
