#include "uplink/ServerLink.hxx"

#include "net/RouteWatcher.hxx"
#include "uplink/HostMeta.hxx"
#include "util/Log.hxx"
#include "xmpp/Caps.hxx"
#include "xmpp/Namespaces.hxx"

#include <boost/asio/post.hpp>

#include <stdexcept>

namespace pigeon::uplink {
namespace {

bosh::SessionOptions MakeOptions()
{
    bosh::SessionOptions options;
    // XEP-0115 in our presence: other pigeons can tell we carry.
    xml::Element caps("c", std::string(xmpp::ns::kCaps));
    caps.SetAttr("hash", "sha-1");
    caps.SetAttr("node", std::string(xmpp::ns::kPigeon));
    caps.SetAttr("ver", xmpp::CapsVer(xmpp::PigeonDiscoInfo()));
    options.presence_extension = caps;
    return options;
}

// The BOSH URL configured, else the one discovered before, else none yet.
UplinkConfig WithKnownUrl(UplinkConfig c, std::string& source)
{
    if (!c.bosh_url.empty()) {
        source = "configured";
    } else if (c.host_meta_url.empty()) {
        throw std::invalid_argument("neither a BOSH URL nor a host-meta URL to discover it from");
    } else if (auto url = LoadDiscoveredUrl(c.discovered_url_file, c.host_meta_url)) {
        c.bosh_url = std::move(*url);
        source = "discovered";
    }
    return c;
}

ProbeConfig MakeProbeConfig(const UplinkConfig& c)
{
    ProbeConfig probe = c.probe;
    if (probe.url.empty())
        probe.url = c.bosh_url;
    if (c.bosh_url.empty())
        probe.host_meta_url = c.host_meta_url;
    return probe;
}

} // namespace

ServerLink::ServerLink(boost::asio::io_context& io, UplinkConfig config, Listener& listener)
    : listener_(listener), config_(WithKnownUrl(std::move(config), bosh_url_source_)), multi_(io),
      probe_(
          multi_, MakeProbeConfig(config_), [this](bool online) { OnProbe(online); },
          [this](const std::string& url) { OnDiscovered(url); }),
      login_retry_(io, config_.password_file, [this](const char* why) { RetryLogin(why); })
{
    if (!config_.bosh_url.empty())
        StartSession(config_.bosh_url);
    else
        log::Notice("uplink", "no BOSH URL yet: discovering it from " + config_.host_meta_url);
    if (config_.watch_routes)
        routes_ = std::make_unique<net::RouteWatcher>(io, [this] {
            log::Debug("uplink", "addresses or routes changed: probing");
            probe_.Check();
        });
}

ServerLink::~ServerLink() = default;

// Sets up the session that the probe's verdict starts and stops. Throws like
// the constructor.
void ServerLink::StartSession(const std::string& bosh_url)
{
    config_.bosh_url = bosh_url;
    bosh::Session::Listener& listener = *this; // a private base: convert here, not in make_unique
    session_ = std::make_unique<bosh::Session>(
        multi_, bosh::Account{config_.account, config_.password, bosh_url, "pigeon"}, listener,
        MakeOptions());
}

void ServerLink::OnDiscovered(const std::string& bosh_url)
{
    StartSession(bosh_url);
    bosh_url_source_ = "discovered";
    try {
        SaveDiscoveredUrl(config_.discovered_url_file, config_.host_meta_url, bosh_url);
    } catch (const std::exception& e) {
        // Not fatal: the next start discovers it again, given signal.
        log::Warning("uplink", std::string("cannot remember the BOSH URL: ") + e.what());
    }
}

bosh::Session& ServerLink::Session()
{
    if (!session_)
        throw std::logic_error("no session before the BOSH URL is known");
    return *session_;
}

void ServerLink::Send(xml::Element stanza, std::function<void(bool accepted)> done)
{
    Session().Send(std::move(stanza), std::move(done));
}

void ServerLink::SendIq(xml::Element iq, std::function<void(std::optional<xml::Element>)> reply)
{
    Session().SendIq(std::move(iq), std::move(reply));
}

void ServerLink::Drop() noexcept
{
    state_ = State::Offline;
    if (session_)
        session_->Stop();
}

void ServerLink::Shutdown(std::function<void()> done) noexcept
{
    shutting_down_ = true;
    state_ = State::Offline;
    if (session_) {
        session_->Stop(std::move(done));
        return;
    }
    try {
        if (done)
            boost::asio::post(multi_.IoContext(), std::move(done));
    } catch (...) {
        // Out of memory: the caller's deadline ends the wait.
    }
}

UplinkStatus ServerLink::Status() const
{
    static constexpr const char* kNames[] = {"offline", "connecting", "online", "auth-failed"};
    return {probe_.Online(),
            probe_.Since(),
            probe_.LastProbe(),
            probe_.LastResult(),
            session_ ? kNames[int(state_)] : "discovering",
            Problem(),
            session_ ? session_->FullJid() : std::string(),
            config_.bosh_url,
            bosh_url_source_,
            bosh_url_source_ == "configured" ? std::string() : config_.host_meta_url,
            false};
}

const char* ServerLink::Problem() const noexcept
{
    if (state_ == State::AuthFailed)
        return "auth-failed";
    if (probe_.DiscoveryFailed())
        return "discovery-failed";
    return probe_.Online() ? "none" : "no-uplink";
}

void ServerLink::OnProbe(bool online) noexcept
{
    if (shutting_down_ || !session_)
        return;
    try {
        if (online && state_ == State::Online) {
            listener_.OnReachable();
        } else if (online && state_ == State::Offline) {
            state_ = State::Connecting;
            log::Info("uplink", "logging in as " + config_.account);
            session_->Start();
        } else if (!online && state_ != State::Offline && state_ != State::AuthFailed) {
            // The session would find out by itself, slowly: drop it now.
            Drop();
            listener_.OnLoggedOut();
        }
    } catch (const std::exception& e) {
        log::Error("uplink", std::string("cannot start a session: ") + e.what());
        state_ = State::Offline;
    }
}

void ServerLink::OnOnline(const std::string& full_jid) noexcept
{
    state_ = State::Online;
    login_retry_.Reset();
    log::Notice("uplink", "online as " + full_jid);
    listener_.OnLoggedIn();
}

void ServerLink::OnStanza(const xml::Element& stanza) noexcept
{
    listener_.OnStanza(stanza);
}

void ServerLink::OnOffline(const std::string& reason, bool auth_failed) noexcept
{
    log::Warning("uplink", "session ended: " + reason);
    listener_.OnLoggedOut();
    state_ = auth_failed ? State::AuthFailed : State::Offline;
    if (!auth_failed)
        probe_.Check(); // online again at once if it was a hiccup
    else
        login_retry_.Schedule();
}

void ServerLink::RetryLogin(const char* why) noexcept
{
    if (state_ != State::AuthFailed || shutting_down_ || !session_)
        return;
    login_retry_.Cancel();
    if (config_.reread_password) {
        try {
            config_.password = config_.reread_password();
            session_->SetPassword(config_.password);
        } catch (const std::exception& e) {
            log::Warning("uplink", std::string("cannot read the password again: ") + e.what());
            login_retry_.Schedule();
            return;
        }
    }
    log::Info("uplink", std::string(why) + ": logging in again");
    state_ = State::Offline;
    probe_.Check(); // online: the session starts
}

void ServerLink::Register(Done done)
{
    if (!probe_.Online() || !session_) {
        done(probe_.DiscoveryFailed()
                 ? "the server's BOSH URL could not be discovered (" + probe_.LastResult() + ")"
                 : "the server is not reachable (no uplink)");
        return;
    }
    try {
        registration_ = std::make_unique<bosh::Registration>(
            multi_, bosh::Account{config_.account, config_.password, config_.bosh_url, "pigeon"},
            [this, done](const std::string& error) {
                done(error);
                if (error.empty()) {
                    log::Notice("uplink", "registered " + config_.account);
                    state_ = State::Offline; // an earlier auth failure no longer holds
                    probe_.Check();
                }
            });
    } catch (const std::exception& e) {
        done(e.what());
    }
}

void ServerLink::ChangePassword(const std::string& password, Done done)
{
    if (state_ != State::Online) {
        const std::string problem = Problem();
        done(problem == "auth-failed"        ? "not logged in: the server refused our password"
             : problem == "discovery-failed" ? "not logged in: the server's BOSH URL could not be "
                                               "discovered (" +
                                                   probe_.LastResult() + ")"
             : problem == "no-uplink" ? "not logged in: the server is not reachable (no uplink)"
                                      : "not logged in yet");
        return;
    }
    try {
        bosh::ChangePassword(*session_, password, [this, password, done](const std::string& error) {
            if (error.empty())
                config_.password = password;
            done(error);
        });
    } catch (const std::exception& e) {
        done(e.what());
    }
}

} // namespace pigeon::uplink
