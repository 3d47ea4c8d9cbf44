#include "Daemon.hxx"

#include "CheckpointTimer.hxx"
#include "Commands.hxx"
#include "ExpiryTimer.hxx"
#include "Options.hxx"
#include "Reload.hxx"
#include "control/Server.hxx"
#include "crypto/Identity.hxx"
#include "crypto/Random.hxx"
#include "link/LinkManager.hxx"
#include "ssl/TlsKey.hxx"
#include "store/WalSync.hxx"
#include "systemd/Notify.hxx"
#include "uplink/HostMeta.hxx"
#include "uplink/Uplink.hxx"
#include "uring/FsyncRing.hxx"
#include "util/DiskSpace.hxx"
#include "util/Log.hxx"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <system_error>

namespace pigeon {
namespace {

// Creates `dir` (and parents) private to us; an existing directory keeps its
// mode (it may be the user's own choice). Throws std::system_error.
void MakePrivateDir(const std::filesystem::path& dir)
{
    if (std::filesystem::create_directories(dir) && chmod(dir.c_str(), 0700) != 0)
        throw std::system_error(errno, std::generic_category(), "cannot chmod " + dir.string());
}

// What must be in place before the data directory is locked; returns it.
const std::filesystem::path& PrepareDirectories(const DaemonConfig& config)
{
    crypto::Initialise();
    MakePrivateDir(config.data_dir);
    MakePrivateDir(config.runtime_dir);
    return config.data_dir;
}

// "eth0,wlan0" (as Settings.cxx normalises it) as its names.
std::vector<std::string> SplitList(const std::string& list)
{
    std::vector<std::string> names;
    for (std::size_t at = 0; at < list.size();) {
        const auto comma = std::min(list.find(',', at), list.size());
        names.push_back(list.substr(at, comma - at));
        at = comma + 1;
    }
    return names;
}

// A filesystem that will not say how full it is: assume the default is affordable.
constexpr std::int64_t kUnknownFreeBytes = std::int64_t{10} << 30;

link::LinkConfig MakeLinkConfig(const DaemonConfig& c)
{
    link::LinkConfig l;
    l.user = c.name;
    l.port = std::uint16_t(c.port);
    l.account = c.account;
    l.carriers = c.carriers;
    l.spray = {c.copies, c.hop_limit};
    l.carry = c.carry;
    l.ttl = UnixMs{c.ttl_hours} * 3600 * 1000;
    // Measured at start and at each reload: what the disk has left now.
    const std::int64_t free_bytes = FreeBytes(c.data_dir).value_or(kUnknownFreeBytes);
    l.carry_limits = link::ResolveCarryLimits({{c.carry_quota, c.carry_bytes},
                                               {c.carry_neighbour_quota, c.carry_neighbour_bytes},
                                               {c.carry_origin_quota, c.carry_origin_bytes}},
                                              free_bytes);
    l.batch_bytes = c.max_stanza * 3 / 8; // leave room for escaping and the envelope
    l.stream.limits.max_stanza_bytes = c.max_stanza;
    l.stream.deadlines.idle = std::chrono::seconds(c.link_idle_seconds);
    l.stream.deadlines.identify = std::chrono::seconds(c.link_identify_seconds);
    l.stream.deadlines.stanza_grace = std::chrono::seconds(c.link_stanza_seconds);
    l.stream.deadlines.min_rate = std::size_t(c.link_min_rate);
    l.admission.accept = c.link_accept;
    l.admission.max_streams = std::size_t(c.link_max_streams);
    l.admission.max_per_address = std::size_t(c.link_max_per_address);
    l.admission.interfaces = SplitList(c.link_interfaces);
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
    u.transport = c.transport;
    u.tls = {c.tls_ca_file, c.tls_insecure};
    u.bosh_url = c.bosh_url;
    if (c.bosh_url.empty())
        u.host_meta_url =
            c.host_meta_url.empty() ? uplink::DefaultHostMetaUrl(c.account) : c.host_meta_url;
    u.discovered_url_file = c.DiscoveredUrlFile();
    if (!c.password_file.empty()) {
        u.password_file = c.password_file;
        u.reread_password = [path = c.password_file] { return ReadPasswordFile(path); };
    }
    u.probe.url = c.probe_url;
    u.probe.max_interval = std::chrono::seconds(c.probe_interval_max);
    u.only_pigeons = c.only_pigeons;
    u.custody_wait = UnixMs{c.custody_wait_seconds} * 1000;
    return u;
}

std::string Join(const std::vector<std::string>& names)
{
    std::string text;
    for (const auto& name : names)
        text += (text.empty() ? "" : ", ") + name;
    return text;
}

} // namespace

Daemon::Daemon(DaemonConfig config, Reread reread)
    : config_(std::move(config)), reread_(std::move(reread)), started_(NowMs()),
      lock_(PrepareDirectories(config_)), store_(config_.DatabaseFile())
{
}

Daemon::~Daemon() = default;

std::string Daemon::PublicKey() const
{
    return identity_ ? crypto::ToBase64(identity_->Public()) : std::string();
}

void Daemon::Run()
{
    Start();
    LogReady();
    io_.run();
}

void Daemon::Start()
{
    identity_ =
        std::make_unique<crypto::Identity>(crypto::Identity::LoadOrCreate(config_.IdentityFile()));
    checkpoints_ = std::make_unique<CheckpointTimer>(io_, store_);
    StartWalSync();
    expiry_ = std::make_unique<ExpiryTimer>(io_, store_, &events_);
    StartUplink();
    if (config_.link_local) {
        if (config_.link_tls)
            tls_key_ = std::make_unique<ssl::TlsKey>(
                ssl::TlsKey::LoadOrCreate(config_.TlsKeyFile(), config_.TlsCertificateFile()));
        auto link_config = MakeLinkConfig(config_);
        link_config.identity = identity_.get();
        link_config.stream.tls_key = tls_key_.get();
        link_config.events = &events_;
        link_config.wal_sync = wal_sync_.get();
        link_config.on_carried = [this] {
            expiry_->Rearm();
            if (uplink_) // there may be none yet, or a new one since
                uplink_->Flush();
        };
        link_config.on_receipt = [this](const std::string& origin, const std::string& id) {
            try {
                if (uplink_)
                    uplink_->SendReceipt(origin, id);
            } catch (const std::exception& e) { // the carrier has our receipt anyway
                log::Warning("pigeond", std::string("a receipt through the server: ") + e.what());
            }
        };
        link_config.want_key = [this](const std::string& account) {
            try {
                if (uplink_) // offline, or none: the pin stays unvouched for now
                    uplink_->FetchKey(account);
            } catch (const std::exception& e) {
                log::Warning("pigeond", "asking for the key of " + account + ": " + e.what());
            }
        };
        link_ = std::make_unique<link::LinkManager>(io_, store_, std::move(link_config));
    }
    commands_ = std::make_unique<Commands>(*this);
    control_ = std::make_unique<control::Server>(
        io_, config_.ControlSocket(),
        [this](const control::Json& request, control::Server::Respond respond) {
            commands_->Handle(request, std::move(respond));
        });
    signals_.emplace(io_, SIGINT, SIGTERM);
    signals_->async_wait([this](boost::system::error_code ec, int signal) {
        if (!ec)
            Stop(signal);
    });
    hangup_.emplace(io_, SIGHUP);
    AwaitHangUp();
}

void Daemon::AwaitHangUp()
{
    hangup_->async_wait([this](boost::system::error_code ec, int) {
        if (ec)
            return; // stopping
        Reload();
        AwaitHangUp();
    });
}

void Daemon::Reload() noexcept
{
    try {
        if (!reread_)
            return;
        log::Notice("pigeond", "SIGHUP: reading the settings again");
        Reloaded reloaded = Reconcile(config_, reread_());
        for (const auto& name : reloaded.restart)
            log::Warning("pigeond",
                         name + " changed, but needs a restart: keeping the value in use");
        log::SetLevel(reloaded.config.log_level);
        if (link_)
            link_->Reconfigure(MakeLinkConfig(reloaded.config));
        if (reloaded.new_uplink)
            ReplaceAccount(reloaded.config);
        else
            config_ = reloaded.config;
        log::Notice("pigeond", reloaded.changed.empty()
                                   ? std::string("settings reloaded: nothing that applies changed")
                                   : "settings reloaded; changed: " + Join(reloaded.changed));
        Publish(&events_, [&reloaded] {
            return Event{
                "reloaded", 0, {{"changed", reloaded.changed}, {"restart", reloaded.restart}}};
        });
    } catch (const std::exception& e) {
        log::Error("pigeond",
                   std::string("cannot reload the settings, keeping those in use: ") + e.what());
    }
}

// A carrier's batches wait for the disk through io_uring where it can.
void Daemon::StartWalSync()
{
    try {
        fsync_ring_ = std::make_unique<uring::FsyncRing>(io_);
    } catch (const std::system_error& e) { // as durable, but the loop waits for each batch
        log::Info("pigeond",
                  std::string("no io_uring (") + e.what() + "): a carrier syncs each batch inline");
    }
    wal_sync_ = std::make_unique<store::WalSync>(store_, fsync_ring_.get());
}

// The uplink for the configured account, or none without one.
void Daemon::StartUplink()
{
    if (config_.account.empty()) {
        log::Notice("pigeond", "no account configured: link-local only");
        return;
    }
    auto uplink_config = MakeUplinkConfig(config_, *identity_);
    uplink_config.events = &events_;
    uplink_config.on_tombstone = [this] {
        if (link_) // tell the neighbours
            link_->OutboxChanged();
    };
    uplink_config.on_key = [this](const std::string& jid) {
        if (link_) // it may vouch for a neighbour's TLS pin
            link_->KeyArrived(jid);
    };
    uplink_config.link_wants_keys = [this] {
        return link_ ? link_->UnvouchedAccounts() : std::vector<std::string>{};
    };
    uplink_ = std::make_unique<uplink::Uplink>(io_, store_, std::move(uplink_config));
}

void Daemon::ReplaceAccount(DaemonConfig config)
{
    if (uplink_) {
        uplink_->Shutdown();
        retiring_ = std::move(uplink_);
        retire_.expires_after(std::chrono::seconds(1));
        retire_.async_wait([this](boost::system::error_code ec) {
            if (!ec)
                retiring_.reset();
        });
    }
    config_ = std::move(config);
    if (link_)
        link_->SetAccount(config_.account);
    StartUplink();
}

void Daemon::Stop(int signal)
{
    if (hangup_)
        hangup_->cancel();
    log::Notice("pigeond", std::string("stopping on ") + strsignal(signal));
    systemd::NotifyStopping();
    control_->Close();
    link_.reset(); // goodbye to the neighbours before we go
    // Unavailable presence and BOSH terminate. Until the server has processed them it keeps
    // a session for us, and what it routes there meanwhile is lost: wait for its answer.
    logged_out_ = !uplink_;
    if (uplink_)
        uplink_->Shutdown([this] {
            logged_out_ = true;
            if (goodbyes_left_)
                io_.stop();
        });
    // Let the neighbours' goodbyes leave.
    farewell_.expires_after(std::chrono::milliseconds(500));
    farewell_.async_wait([this](boost::system::error_code) {
        goodbyes_left_ = true;
        if (logged_out_)
            io_.stop();
    });
    // A server that does not answer is not waited for long.
    logout_deadline_.expires_after(std::chrono::seconds(3));
    logout_deadline_.async_wait([this](boost::system::error_code ec) {
        if (ec)
            return;
        log::Warning("pigeond", "the server did not answer the logout in time");
        io_.stop();
    });
}

void Daemon::LogReady()
{
    const auto sizes = store_.GetQueueSizes();
    log::Notice("pigeond", std::string("ready (") + PIGEON_VERSION + "), " +
                               std::to_string(sizes.outbox_pending) + " queued, " +
                               std::to_string(sizes.carrying) + " carried, control socket " +
                               config_.ControlSocket().string() +
                               (link_ ? ", link-local port " + std::to_string(link_->Port())
                                      : std::string(", link-local off")));
    systemd::NotifyReady();
}

} // namespace pigeon
