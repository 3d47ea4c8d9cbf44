#include "uplink/ServerLink.hxx"

#include "bosh/Session.hxx"
#include "c2s/Session.hxx"
#include "net/RouteWatcher.hxx"
#include "uplink/HostMeta.hxx"
#include "util/Log.hxx"
#include "xmpp/Caps.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Namespaces.hxx"

#include <boost/asio/post.hpp>

#include <stdexcept>

namespace pigeon::uplink {
namespace {

// XEP-0115 in our presence: other pigeons can tell we carry.
xml::Element Caps()
{
    xml::Element caps("c", std::string(xmpp::ns::kCaps));
    caps.SetAttr("hash", "sha-1");
    caps.SetAttr("node", std::string(xmpp::ns::kPigeon));
    caps.SetAttr("ver", xmpp::CapsVer(xmpp::PigeonDiscoInfo()));
    return caps;
}

std::string DomainOf(const std::string& account)
{
    return std::string(xmpp::Jid::Parse(account).Domain());
}

// The BOSH URL configured, else the one discovered before, else none yet.
UplinkConfig WithKnownUrl(UplinkConfig c, std::string& source)
{
    if (!c.bosh_url.empty()) {
        source = "configured";
    } else if (c.host_meta_url.empty()) {
        if (c.transport == Transport::C2s)
            return c; // BOSH is never used

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
    probe.transport = c.transport;
    probe.c2s = {DomainOf(c.account), c.tls, std::chrono::seconds(10)};
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
    if (config_.transport != Transport::C2s && config_.bosh_url.empty())
        log::Notice("uplink", "no BOSH URL yet: discovering it from " + config_.host_meta_url);
    if (config_.watch_routes)
        routes_ = std::make_unique<net::RouteWatcher>(io, [this] {
            log::Debug("uplink", "addresses or routes changed: probing");
            probe_.Restart();
        });
}

ServerLink::~ServerLink() = default;

std::unique_ptr<xmpp::ClientSession>
ServerLink::MakeSession(Transport transport, xmpp::ClientSession::Listener& listener,
                        bool authenticate)
{
    if (transport == Transport::C2s) {
        c2s::SessionOptions options;
        options.tls = config_.tls;
        options.presence_extension = Caps();
        options.authenticate = authenticate;
        return std::make_unique<c2s::Session>(
            multi_.IoContext(), c2s::Account{config_.account, config_.password, "pigeon"}, listener,
            options);
    }
    if (config_.bosh_url.empty())
        throw std::logic_error("no BOSH URL known yet");
    bosh::SessionOptions options;
    options.presence_extension = Caps();
    options.authenticate = authenticate;
    return std::make_unique<bosh::Session>(
        multi_, bosh::Account{config_.account, config_.password, config_.bosh_url, "pigeon"},
        listener, options);
}

void ServerLink::UseTransport(Transport transport)
{
    if (session_ && session_transport_ == transport)
        return;
    xmpp::ClientSession::Listener& listener = *this; // a private base: convert here
    auto session = MakeSession(transport, listener, true);
    if (session_)
        session_->Stop();
    session_ = std::move(session);
    session_transport_ = transport;
    log::Info("uplink", "reaching the server over " + std::string(TransportName(transport)));
}

void ServerLink::OnDiscovered(const std::string& bosh_url)
{
    config_.bosh_url = bosh_url;
    bosh_url_source_ = "discovered";
    try {
        SaveDiscoveredUrl(config_.discovered_url_file, config_.host_meta_url, bosh_url);
    } catch (const std::exception& e) {
        // Not fatal: the next start discovers it again, given signal.
        log::Warning("uplink", std::string("cannot remember the BOSH URL: ") + e.what());
    }
}

xmpp::ClientSession& ServerLink::Session()
{
    if (!session_)
        throw std::logic_error("no session before the server is found");
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
    static constexpr const char* kNames[] = {"offline", "connecting", "online", "auth-failed",
                                             "tls-failed"};
    const auto* c2s = dynamic_cast<const c2s::Session*>(session_.get());
    const bool discovering =
        !session_ && config_.bosh_url.empty() && config_.transport != Transport::C2s;
    return {probe_.Online(),
            probe_.Since(),
            probe_.LastProbe(),
            probe_.LastResult(),
            discovering ? "discovering" : kNames[int(state_)],
            session_error_,
            session_ ? std::string(TransportName(session_transport_)) : std::string(),
            c2s ? c2s->Description() : std::string(),
            config_.transport != Transport::Bosh && config_.tls.insecure,
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
    if (state_ == State::TlsFailed)
        return "tls-failed";
    if (probe_.DiscoveryFailed())
        return "discovery-failed";
    return probe_.Online() ? "none" : "no-uplink";
}

void ServerLink::OnProbe(bool online) noexcept
{
    if (shutting_down_)
        return;
    try {
        if (online && state_ == State::Offline)
            UseTransport(probe_.Via());
        if (!session_)
            return;
        if (online && state_ == State::Online) {
            listener_.OnReachable();
        } else if (online && state_ == State::Offline) {
            state_ = State::Connecting;
            log::Info("uplink", "logging in as " + config_.account);
            session_->Start();
        } else if (!online && state_ != State::Offline && state_ != State::AuthFailed &&
                   state_ != State::TlsFailed) {
            // The session would find out by itself, slowly: drop it now, resumable.
            state_ = State::Offline;
            session_->Suspend();
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
    session_error_.clear();
    login_retry_.Reset();
    log::Notice("uplink", "online as " + full_jid + " over " +
                              std::string(TransportName(session_transport_)));
    if (session_transport_ == Transport::C2s && config_.tls.insecure)
        log::Warning("uplink", "tls-insecure is set: the server's certificate is not checked, "
                               "anyone on the path could be reading this session");
    listener_.OnLoggedIn();
}

void ServerLink::OnStanza(const xml::Element& stanza) noexcept
{
    listener_.OnStanza(stanza);
}

void ServerLink::OnOffline(const std::string& reason, Failure failure) noexcept
{
    const bool auth_failed = failure != Failure::Transient;
    log::Warning("uplink", "session ended: " + reason);
    session_error_ = reason;
    listener_.OnLoggedOut();
    state_ = failure == Failure::Auth  ? State::AuthFailed
             : failure == Failure::Tls ? State::TlsFailed
                                       : State::Offline;
    if (!auth_failed)
        probe_.Check(); // online again at once if it was a hiccup
    else
        login_retry_.Schedule();
}

void ServerLink::RetryLogin(const char* why) noexcept
{
    if ((state_ != State::AuthFailed && state_ != State::TlsFailed) || shutting_down_ || !session_)
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
        const auto make_session = [this](xmpp::ClientSession::Listener& listener) {
            return MakeSession(probe_.Via(), listener, false);
        };
        registration_ = std::make_unique<xmpp::Registration>(
            config_.account, config_.password, make_session,
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
        xmpp::ChangePassword(*session_, config_.account, password,
                             [this, password, done](const std::string& error) {
                                 if (error.empty())
                                     config_.password = password;
                                 done(error);
                             });
    } catch (const std::exception& e) {
        done(e.what());
    }
}

} // namespace pigeon::uplink
